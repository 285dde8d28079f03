package org.ehrarchive.portal;

import java.util.List;

import org.jsoup.Jsoup;
import org.jsoup.nodes.CDataNode;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.parser.Parser;
import org.jsoup.parser.Tag;
import org.jsoup.safety.Safelist;

/**
 * Turns a CDA narrative ({@code <text>}: paragraph, list, table, content...) into HTML that is safe to put in a
 * page: CDA elements become their HTML equivalents, then everything not on a short allow-list (scripts, styles,
 * event handlers, non-http links, embedded media) is removed. Archived markup is never shown unsanitized.
 */
public final class NarrativeHtml {

    private static final Safelist ALLOWED = Safelist.basic()
            .addTags("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "span", "div", "h3", "h4")
            .addAttributes("td", "colspan", "rowspan").addAttributes("th", "colspan", "rowspan");

    private NarrativeHtml() {
    }

    public static String toSafeHtml(String narrativeMarkup) {
        if (narrativeMarkup == null || narrativeMarkup.isBlank()) {
            return "";
        }
        Document cda = Jsoup.parse(narrativeMarkup, "", Parser.xmlParser());
        for (Element element : cda.getAllElements()) {
            // CDATA is text. Written out as a CDATA section it would reach the HTML cleaner, which does not know CDATA
            // outside SVG and MathML, and garble the words; as a text node it is escaped like any other text.
            for (Node child : List.copyOf(element.childNodes())) {
                if (child instanceof CDataNode cdata) {
                    child.replaceWith(new TextNode(cdata.text()));
                }
            }
            String name = element.normalName();
            int colon = name.indexOf(':');
            if (colon >= 0) {
                name = name.substring(colon + 1);
            }
            switch (name) {
                case "text" -> element.tagName("div");
                case "paragraph" -> element.tagName("p");
                case "content" -> element.tagName("span");
                case "list" -> element.tagName("ordered".equalsIgnoreCase(element.attr("listType")) ? "ol" : "ul");
                case "item" -> element.tagName("li");
                case "linkhtml" -> element.tagName("a");
                case "footnote", "footnoteref" -> element.tagName("small");
                case "rendermultimedia" -> element.remove();
                default -> element.tagName(name);
            }
            // An empty XML element is written as <x/>; HTML reads that as an open tag, and for <iframe/>, <script/>,
            // <textarea/> and the like takes the rest of the narrative as the element's content: it would vanish.
            if (element.childNodeSize() == 0 && !Tag.valueOf(element.normalName()).isEmpty()) {
                element.appendChild(new TextNode(""));
            }
        }
        return Jsoup.clean(cda.html(), ALLOWED);
    }
}
