package vn.hotline.gateway.testing;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/** A webhook's answer as Twilio would read it: status, time taken, and the TwiML verbs. */
public record Twiml(int status, String body, Duration took, List<Element> verbs) {

  public static Twiml parse(int status, String body, Duration took) {
    var verbs = new ArrayList<Element>();
    if (status == 200 && body.startsWith("<?xml")) {
      try {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(body)));
        for (var n = doc.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element e) {
            verbs.add(e);
          }
        }
      } catch (Exception e) {
        throw new AssertionError("not TwiML: " + body, e);
      }
    }
    return new Twiml(status, body, took, List.copyOf(verbs));
  }

  public Element verb(String name) {
    return verbs.stream().filter(v -> v.getTagName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no <" + name + "> in " + body));
  }

  public boolean has(String name) {
    return verbs.stream().anyMatch(v -> v.getTagName().equals(name));
  }

  /** Everything the caller hears, in order, including prompts inside a Gather. */
  public List<String> heard() {
    var out = new ArrayList<String>();
    for (var v : verbs) {
      if (v.getTagName().equals("Say")) {
        out.add(v.getTextContent().trim());
      } else if (v.getTagName().equals("Gather")) {
        var says = v.getElementsByTagName("Say");
        for (int i = 0; i < says.getLength(); i++) {
          out.add(says.item(i).getTextContent().trim());
        }
      }
    }
    return out;
  }

  public String heardText() {
    return String.join(" | ", heard());
  }

  /** The SMS replies of a MessagingResponse, in order. */
  public List<String> messages() {
    var out = new ArrayList<String>();
    for (var v : verbs) {
      if (v.getTagName().equals("Message")) {
        out.add(v.getTextContent().trim());
      }
    }
    return out;
  }

  public String messageText() {
    return String.join(" | ", messages());
  }

  /** The URL the next callback goes to: Gather/Record/Dial/Enqueue action, or a Redirect. */
  public String actionOf(String verb) {
    var v = verb(verb);
    return verb.equals("Redirect") ? v.getTextContent().trim() : v.getAttribute("action");
  }

  /** The url of each Number of the Dial that has one (the whisper a counsellor hears on picking up). */
  public List<String> whisperUrls() {
    var out = new ArrayList<String>();
    if (!has("Dial")) {
      return out;
    }
    var numbers = verb("Dial").getElementsByTagName("Number");
    for (int i = 0; i < numbers.getLength(); i++) {
      var url = ((Element) numbers.item(i)).getAttribute("url");
      if (!url.isEmpty()) {
        out.add(url);
      }
    }
    return out;
  }

  public List<String> dialled() {
    var out = new ArrayList<String>();
    var numbers = verb("Dial").getElementsByTagName("Number");
    for (int i = 0; i < numbers.getLength(); i++) {
      out.add(numbers.item(i).getTextContent().trim());
    }
    return out;
  }
}
