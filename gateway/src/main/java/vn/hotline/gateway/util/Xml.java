package vn.hotline.gateway.util;

import java.util.ArrayList;
import java.util.List;

/**
 * A small XML 1.0 writer for the documents the gateway answers with (TwiML): elements, attributes, text, written
 * straight into a string. No parser, no transformer, no factory lookup (the Twilio SDK's {@code toXml} made all
 * three for every answer). Text and attribute values are escaped; a character XML 1.0 cannot carry at all (a
 * control character other than tab, newline and carriage return, an unpaired surrogate, U+FFFE, U+FFFF) is left
 * out, so the document is always well formed (https://www.w3.org/TR/xml/#charsets).
 */
public final class Xml {
  private final String name;
  private final List<String[]> attributes = new ArrayList<>(4);
  private final List<Xml> children = new ArrayList<>(2);
  private String text;

  private Xml(String name) {
    this.name = name;
  }

  /** An element; names are the caller's constants (TwiML verbs), never input, so they are not checked. */
  public static Xml element(String name) {
    return new Xml(name);
  }

  /** An attribute, in the order given; a null value leaves it out. */
  public Xml attr(String name, Object value) {
    if (value != null) {
      attributes.add(new String[] {name, value.toString()});
    }
    return this;
  }

  /** The element's text, written before its children (as the SDK did); null for none. */
  public Xml text(String text) {
    this.text = text;
    return this;
  }

  public Xml add(Xml child) {
    children.add(child);
    return this;
  }

  /** The whole document: the declaration, then this element. */
  public String document() {
    var out = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    write(out);
    return out.toString();
  }

  @Override
  public String toString() {
    var out = new StringBuilder();
    write(out);
    return out.toString();
  }

  private void write(StringBuilder out) {
    out.append('<').append(name);
    for (var a : attributes) {
      out.append(' ').append(a[0]).append("=\"");
      escape(out, a[1], true);
      out.append('"');
    }
    if (text == null && children.isEmpty()) {
      out.append("/>");
      return;
    }
    out.append('>');
    if (text != null) {
      escape(out, text, false);
    }
    for (var c : children) {
      c.write(out);
    }
    out.append("</").append(name).append('>');
  }

  /**
   * Escapes {@code s} for element text or, with {@code attribute}, for a value in double quotes. In a value, tab,
   * newline and carriage return are written as references so that a parser's attribute normalisation keeps them;
   * in text a carriage return is, so that it is not read as a line end.
   */
  static void escape(StringBuilder out, String s, boolean attribute) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append(attribute ? "&quot;" : "\"");
        case '\r' -> out.append("&#13;");
        case '\n' -> out.append(attribute ? "&#10;" : "\n");
        case '\t' -> out.append(attribute ? "&#9;" : "\t");
        default -> {
          if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i)); // a pair: a character above U+FFFF, allowed
          } else if (c >= 0x20 && !Character.isSurrogate(c) && c != 0xFFFE && c != 0xFFFF) {
            out.append(c);
          } // else: not an XML 1.0 character (a control, a lone surrogate): left out
        }
      }
    }
  }
}
