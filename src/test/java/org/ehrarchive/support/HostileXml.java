package org.ehrarchive.support;

import java.nio.file.Path;

/** XML attacks a hardened parser must refuse, built around a local file whose content must never be read. */
public final class HostileXml {

    /** What the local files used below contain; it must appear nowhere in the archive. */
    public static final String SECRET = "s3cr3t-local-file-content";

    private HostileXml() {
    }

    /** An external entity that would pull {@code localFile} into the document's title. */
    public static String externalEntityReading(Path localFile) {
        return "<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM \"" + localFile.toUri() + "\">]>\n"
                + "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&xxe;</title><recordTarget><patientRole>"
                + "<id root=\"1.2.3\" extension=\"XXE\"/></patientRole></recordTarget></ClinicalDocument>";
    }

    /** The classic billion laughs: ten levels of ten-fold entity expansion. */
    public static String billionLaughs() {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument [\n<!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i <= 10; i++) {
            xml.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">\n");
        }
        return xml.append("]>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&lol10;</title></ClinicalDocument>").toString();
    }

    /** A DOCTYPE naming an external DTD (at {@code dtd}) that defines an entity the document uses. */
    public static String externalDtd(Path dtd) {
        return "<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument SYSTEM \"" + dtd.toUri() + "\">\n"
                + "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&fromdtd;</title></ClinicalDocument>";
    }

    /** The DTD {@link #externalDtd} points at. */
    public static String dtdDefiningTheSecret() {
        return "<!ENTITY fromdtd \"" + SECRET + "\">";
    }
}
