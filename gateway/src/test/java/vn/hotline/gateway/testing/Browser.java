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
 * by Selenium, for the console's tests: one per test class (starting one takes about a second), a fresh profile
 * of its own, a 1366x768 window, nothing fetched from the internet. Elements are found by id. Screenshots go to
 * {@code gateway/target/screenshots}.
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path SCREENSHOTS = Path.of("gateway/target/screenshots");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ChromeDriver driver;
  private final Path profile;
  private URI base;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts Chromium headless; fails saying what to install when it is missing. */
  public static Browser start() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("the console's browser tests need Debian's chromium and chromium-driver"
          + " (apt-get install -y chromium chromium-driver; .ci/run installs them)");
    }
    try {
      var profile = Files.createTempDirectory("console-browser-");
      var options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
          "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=vi", "--user-data-dir=" + profile);
      options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL")); // for problems()
      var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
          .build();
      return new Browser(new ChromeDriver(service, options), profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  /** The visible text of the element with this id. */
  public String text(String id) {
    return element(id).getText();
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

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var paths = Files.walk(profile)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // a temp profile left behind is harmless
      }
    }
  }
}
