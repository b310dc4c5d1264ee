package vn.hotline.gateway.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/** What util.Xml writes is well-formed XML 1.0 that a parser reads back as the text and values given. */
class XmlTest {
  @Test
  void textAndAttributesReadBackAsGiven() throws Exception {
    var text = "Trẻ em & <gia đình> \"an toàn\" 'ở nhà' ]]> &amp; 👧🏽 \t tab\nline";
    var value = "a=1&b=<2> \"q\" 'x'\ttab\nline\rcr";
    var doc = Xml.element("Response").add(Xml.element("Say").attr("voice", value).attr("gone", null).text(text)).document();

    var say = parse(doc).getElementsByTagName("Say").item(0);
    assertEquals(text, say.getTextContent());
    assertEquals(value, ((Element) say).getAttribute("voice"));
    assertEquals(1, say.getAttributes().getLength(), "a null value leaves the attribute out");
    assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>", Xml.element("Response").document());
  }

  @Test
  void charactersXmlCannotCarryAreLeftOutAndTheDocumentStaysWellFormed() throws Exception {
    var bad = "a\u0000b\u0001c\u0008d\u000Be\u001Ff\uFFFEg\uFFFFh\uD800i\uDC00j";
    var doc = Xml.element("Say").attr("x", bad).text(bad + "\uD83D").document();

    var say = parse(doc);
    assertEquals("abcdefghij", say.getTextContent());
    assertEquals("abcdefghij", say.getAttribute("x"));
  }

  @Test
  void everyCharacterXmlAllowsIsKept() throws Exception {
    var all = new StringBuilder("\t\n");
    for (int c = 0x20; c < 0x3000; c++) {
      if (!Character.isSurrogate((char) c)) {
        all.append((char) c);
      }
    }
    all.append("\uE000\uFFFD").appendCodePoint(0x1F467).appendCodePoint(0x10FFFF);
    var say = parse(Xml.element("Say").attr("x", all).text(all.toString()).document());
    assertEquals(all.toString(), say.getTextContent());
    assertEquals(all.toString(), say.getAttribute("x"));
  }

  private static Element parse(String xml) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)))
        .getDocumentElement();
  }
}
