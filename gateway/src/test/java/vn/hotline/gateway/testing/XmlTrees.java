package vn.hotline.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Two XML documents compared as a parser reads them: the same elements in the same order, the same attributes
 * (in any order, as XML has them), the same text. Each is first printed as an outline, so a failure shows where they
 * differ.
 */
public final class XmlTrees {
  private XmlTrees() {}

  public static void assertSameXml(String expected, String actual, String what) {
    assertEquals(outline(expected), outline(actual), what + "\nexpected: " + expected + "\nactual:   " + actual);
  }

  /** One line per element: its path, its attributes sorted by name, and its own text. */
  public static String outline(String xml) {
    try {
      var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
      var out = new StringBuilder();
      outline(doc.getDocumentElement(), "", out);
      return out.toString();
    } catch (Exception e) {
      throw new AssertionError("not well-formed XML: " + xml, e);
    }
  }

  private static void outline(Element e, String parent, StringBuilder out) {
    var path = parent + "/" + e.getTagName();
    var attributes = new TreeMap<String, String>();
    for (int i = 0; i < e.getAttributes().getLength(); i++) {
      var a = e.getAttributes().item(i);
      attributes.put(a.getNodeName(), a.getNodeValue());
    }
    var text = new StringBuilder();
    for (var n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
        text.append(n.getNodeValue());
      }
    }
    out.append(path).append(' ').append(attributes).append(" text=[").append(text).append("]\n");
    int i = 0;
    for (var n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element child) {
        outline(child, path + "[" + i++ + "]", out);
      }
    }
  }
}
