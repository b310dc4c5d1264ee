package vn.hotline.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; .ci/run installs them) driven
 * by Selenium, for the console's tests: a 1366x768 window, nothing fetched from the internet. Elements are found
 * by id. Screenshots go to {@code gateway/target/screenshots}.
 *
 * <p>One Chromium serves the whole test run (starting one takes a second or more): {@link #start()} hands it to
 * a test class wiped as a new one would be (no cookie of any site, no cache, no other tab, a blank page, the
 * browser's log read out), {@link #close()} takes it back (the page left, so nothing of it still talks to a
 * gateway about to stop), and it quits when the JVM ends. A class that starts one while another class still holds
 * the shared one gets a Chromium of its own, with a fresh profile, quit on {@code close()}.
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path SCREENSHOTS = Path.of("gateway/target/screenshots");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ChromeDriver driver;
  private final Path profile;
  /** Whether this is the run's shared Chromium (given back on close) rather than one of its own. */
  private final boolean shared;
  private boolean closed;
  private URI base;

  /** The run's Chromium and its profile, started on first use; whether a class holds it now. */
  private static ChromeDriver sharedDriver;
  private static Path sharedProfile;
  private static boolean sharedInUse;
  private static boolean quitAtExit;

  private Browser(ChromeDriver driver, Path profile, boolean shared) {
    this.driver = driver;
    this.profile = profile;
    this.shared = shared;
  }

  /**
   * Chromium, headless, as new: the run's shared one wiped clean, or (while another class holds that) one of its
   * own. Fails saying what to install when it is missing.
   */
  public static Browser start() {
    synchronized (Browser.class) {
      if (!sharedInUse) {
        if (sharedDriver != null && !alive(sharedDriver)) {
          quit(sharedDriver, sharedProfile);
          sharedDriver = null;
        }
        if (sharedDriver == null) {
          sharedProfile = newProfile();
          sharedDriver = launch(sharedProfile);
          if (!quitAtExit) {
            quitAtExit = true;
            Runtime.getRuntime().addShutdownHook(new Thread(Browser::quitShared, "browser-quit"));
          }
        }
        sharedInUse = true;
        var browser = new Browser(sharedDriver, sharedProfile, true);
        try {
          browser.wipe();
        } catch (RuntimeException e) {
          sharedInUse = false;
          throw e;
        }
        return browser;
      }
    }
    var profile = newProfile();
    return new Browser(launch(profile), profile, false);
  }

  /**
   * A Chromium of its own with JavaScript switched off (as a cheap phone's browser, or a person who turned it off):
   * pages must work as plain HTML. Quit on {@link #close()}.
   */
  public static Browser startWithoutJavaScript() {
    var profile = newProfile();
    return new Browser(launch(profile, false), profile, false);
  }

  private static synchronized void quitShared() {
    if (sharedDriver != null) {
      quit(sharedDriver, sharedProfile);
      sharedDriver = null;
    }
  }

  private static boolean alive(ChromeDriver driver) {
    try {
      driver.getWindowHandles();
      return true;
    } catch (org.openqa.selenium.WebDriverException gone) {
      return false;
    }
  }

  /**
   * What a new Chromium would be: one new tab (its session storage empty) on a blank page, 1366x768, no cookie of
   * any site (the gateways of the run are all on 127.0.0.1, and cookies do not tell ports apart), an empty cache,
   * nothing in its log. Each gateway has a port, so an origin, of its own; what a page kept in local storage was
   * cleared when the class before gave the browser back.
   */
  private void wipe() {
    var old = List.copyOf(driver.getWindowHandles());
    driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
    var fresh = driver.getWindowHandle();
    for (var handle : old) {
      driver.switchTo().window(handle).close();
    }
    driver.switchTo().window(fresh);
    driver.get("about:blank");
    driver.executeCdpCommand("Network.clearBrowserCookies", java.util.Map.of());
    driver.executeCdpCommand("Network.clearBrowserCache", java.util.Map.of());
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1366, 768));
    driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll();
  }

  private static Path newProfile() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("the console's browser tests need Debian's chromium and chromium-driver"
          + " (apt-get install -y chromium chromium-driver; .ci/run installs them)");
    }
    try {
      return Files.createTempDirectory("console-browser-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ChromeDriver launch(Path profile) {
    return launch(profile, true);
  }

  private static ChromeDriver launch(Path profile, boolean javaScript) {
    var options = new ChromeOptions();
    if (!javaScript) {
      options.setExperimentalOption("prefs", java.util.Map.of("profile.managed_default_content_settings.javascript", 2));
    }
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=vi", "--user-data-dir=" + profile);
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL")); // for problems()
    var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }

  /** The gateway the relative paths below are on. */
  public Browser on(URI gateway) {
    this.base = gateway;
    return this;
  }

  /** Loads a page (a path on the gateway, or a whole URL) and waits for it. */
  public Browser open(String pathOrUrl) {
    driver.get(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
    return this;
  }

  /** Types into the field with this id, after what it holds (pages here render their fields empty). */
  public Browser type(String id, String text) {
    element(id).sendKeys(text);
    return this;
  }

  /** Empties the field with this id, then types into it. */
  public Browser retype(String id, String text) {
    var field = element(id);
    field.clear();
    field.sendKeys(text);
    return this;
  }

  /** Clicks the element with this id and waits for the page it leads to, if any. */
  public Browser click(String id) {
    var before = driver.findElement(By.tagName("html"));
    element(id).click();
    try {
      new WebDriverWait(driver, Duration.ofMillis(1500), Duration.ofMillis(25)).until(d -> gone(before));
    } catch (org.openqa.selenium.TimeoutException sameDocument) {
      // the click did not load another page (an htmx swap, a script): nothing to wait for
    }
    return this;
  }

  /**
   * Whether the element is of a document no longer shown. Chromium answers for an element of a page it has just
   * left either "stale" or, while the next page loads, an inspector error ("Node with given id does not belong
   * to the document"): both mean the click loaded another page.
   */
  private static boolean gone(WebElement element) {
    try {
      element.isEnabled();
      return false;
    } catch (org.openqa.selenium.WebDriverException leftBehind) {
      return true;
    }
  }

  /** The element with this id, once it is there. */
  public WebElement element(String id) {
    return new WebDriverWait(driver, WAIT, Duration.ofMillis(25)).until(ExpectedConditions.presenceOfElementLocated(By.id(id)));
  }

  /** Whether the form with this id would be sent as it is filled in (the browser's own checks: required, minlength...). */
  public boolean valid(String formId) {
    return Boolean.TRUE.equals(driver.executeScript("return document.getElementById(arguments[0]).checkValidity()", formId));
  }

  /** Whether the current page has an element with this id (no waiting). */
  public boolean has(String id) {
    return !driver.findElements(By.id(id)).isEmpty();
  }

  /**
   * The visible text of the element with this id. A live page (the board, pushed over SSE) may replace the element
   * between finding it and reading it: then the new one is read.
   */
  public String text(String id) {
    for (int tries = 1; ; tries++) {
      try {
        return element(id).getText();
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        if (tries == 5) {
          throw e;
        }
      }
    }
  }

  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** The path of the page shown (without the gateway's base). */
  public String path() {
    return URI.create(driver.getCurrentUrl()).getPath();
  }

  public String url() {
    return driver.getCurrentUrl();
  }

  public String title() {
    return driver.getTitle();
  }

  public String source() {
    return driver.getPageSource();
  }

  /**
   * What the browser complained about since the last call (its console's errors and warnings): a script or
   * style the Content-Security-Policy refused, a file that did not load, a script error.
   */
  public List<String> problems() {
    return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
        // Chromium asks for /favicon.ico by itself for a page without an icon (e.g. the CSS forgetCookies opens)
        .filter(e -> !e.getMessage().contains("/favicon.ico"))
        .map(e -> e.getLevel() + " " + e.getMessage()).toList();
  }

  public Cookie cookie(String name) {
    return driver.manage().getCookieNamed(name);
  }

  /** Forgets every cookie of the gateway (signed out, no language chosen): the next test starts fresh. */
  public Browser forgetCookies() {
    if (base != null && !driver.getCurrentUrl().startsWith(base.toString())) {
      driver.get(base + "/console/assets/console.css"); // cookies can only be cleared on their own site
    }
    driver.manage().deleteAllCookies();
    return this;
  }

  /** Saves a PNG of the window as gateway/target/screenshots/{name}.png; returns its path. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      var file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Like {@link #screenshot}, of the whole page rather than the window: the window is made as tall as the page
   * (still 1366 wide) for the picture, then set back to 1366x768.
   */
  public Path screenshotWholePage(String name) {
    var window = driver.manage().window();
    var before = window.getSize();
    var height = ((Number) driver.executeScript(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")).intValue();
    window.setSize(new org.openqa.selenium.Dimension(before.getWidth(), Math.max(before.getHeight(), height + 120)));
    driver.executeScript("window.scrollTo(0, 0)");
    try {
      return screenshot(name);
    } finally {
      window.setSize(before);
    }
  }

  public WebDriver driver() {
    return driver;
  }

  /**
   * Done with the browser: one of its own quits; the shared one leaves the page (so nothing of it still talks to
   * the gateway, which may stop now) and is free for the next class.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!shared) {
      quit(driver, profile);
      return;
    }
    synchronized (Browser.class) {
      try {
        if (driver.getCurrentUrl().startsWith("http")) {
          driver.executeScript("try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}");
        }
        driver.get("about:blank");
      } catch (org.openqa.selenium.WebDriverException broken) {
        quit(driver, profile); // the next start() launches another
        sharedDriver = null;
      } finally {
        sharedInUse = false;
      }
    }
  }

  private static void quit(ChromeDriver driver, Path profile) {
    try {
      driver.quit();
    } catch (org.openqa.selenium.WebDriverException alreadyGone) {
      // nothing left to stop
    } finally {
      try (var paths = Files.walk(profile)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // a temp profile left behind is harmless
      }
    }
  }
}
