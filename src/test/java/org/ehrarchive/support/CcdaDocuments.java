package org.ehrarchive.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Small synthetic C-CDA documents built by tests, so that each test archives content nobody archived before (the
 * {@code @QuarkusTest}s share one database): a patient with a fresh identifier, and the entries the test asks for.
 */
public final class CcdaDocuments {

    /** A problem entry: its id (the record key), its SNOMED code and name, its status and when it started. */
    public record Problem(String id, String code, String name, String status, String onset) {
    }

    /**
     * A result: its id (the record key), LOINC code and name, value and unit as given, reference range bounds, the
     * interpretation code (H, L, N or null for none) and when.
     */
    public record Result(String id, String loinc, String name, String value, String unit, String low, String high, String interpretation,
            String when) {
    }

    private final String mrn;
    private final List<String> results = new ArrayList<>();
    private String documentId = UUID.randomUUID().toString();
    private String setId;
    private String version;
    private String effectiveTime = "20150101120000+0000";
    private final List<String> problems = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private String nonXmlBody;

    private CcdaDocuments(String mrn) {
        this.mrn = mrn;
    }

    /** A document about a new patient, identified by a fresh MRN. */
    public static CcdaDocuments forNewPatient() {
        return new CcdaDocuments("MRN-" + UUID.randomUUID());
    }

    /** Another document about the same patient as {@code other}. */
    public static CcdaDocuments forPatientOf(CcdaDocuments other) {
        return new CcdaDocuments(other.mrn);
    }

    public String mrn() {
        return mrn;
    }

    public CcdaDocuments effectiveTime(String hl7Time) {
        this.effectiveTime = hl7Time;
        return this;
    }

    /** The document's set id and version number: its versions share the set id. */
    public CcdaDocuments version(String setId, String versionNumber) {
        this.setId = setId;
        this.version = versionNumber;
        return this;
    }

    public CcdaDocuments documentId(String id) {
        this.documentId = id;
        return this;
    }

    public CcdaDocuments problem(Problem problem) {
        problems.add("<entry><act classCode=\"ACT\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.3\"/>"
                + "<id root=\"2.16.840.1.113883.19.5.99999.9\" extension=\"" + problem.id() + "\"/>"
                + "<code code=\"CONC\" codeSystem=\"2.16.840.1.113883.5.6\"/><statusCode code=\"" + problem.status() + "\"/>"
                + "<entryRelationship typeCode=\"SUBJ\"><observation classCode=\"OBS\" moodCode=\"EVN\">"
                + "<templateId root=\"2.16.840.1.113883.10.20.22.4.4\"/><id root=\"2.16.840.1.113883.19.5.99999.9\" extension=\""
                + problem.id() + "-obs\"/><code code=\"55607006\" codeSystem=\"2.16.840.1.113883.6.96\"/>"
                + "<statusCode code=\"completed\"/><effectiveTime><low value=\"" + problem.onset() + "\"/></effectiveTime>"
                + "<value xsi:type=\"CD\" code=\"" + problem.code() + "\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\""
                + problem.name() + "\"/></observation></entryRelationship></act></entry>");
        return this;
    }

    public CcdaDocuments result(Result result) {
        results.add("<entry><observation classCode=\"OBS\" moodCode=\"EVN\"><templateId root=\"2.16.840.1.113883.10.20.22.4.2\"/>"
                + "<id root=\"2.16.840.1.113883.19.5.99999.9\" extension=\"" + result.id() + "\"/>"
                + "<code code=\"" + result.loinc() + "\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"" + result.name() + "\"/>"
                + "<statusCode code=\"completed\"/><effectiveTime value=\"" + result.when() + "\"/>"
                + "<value xsi:type=\"PQ\" value=\"" + result.value() + "\" unit=\"" + result.unit() + "\"/>"
                + (result.interpretation() == null ? "" : "<interpretationCode code=\"" + result.interpretation() + "\" codeSystem=\"2.16.840.1.113883.5.83\"/>")
                + (result.low() == null ? "" : "<referenceRange><observationRange><value xsi:type=\"IVL_PQ\"><low value=\"" + result.low()
                        + "\" unit=\"" + result.unit() + "\"/><high value=\"" + result.high() + "\" unit=\"" + result.unit()
                        + "\"/></value></observationRange></referenceRange>")
                + "</observation></entry>");
        return this;
    }

    /** A section of raw markup, placed in the structured body as given. */
    public CcdaDocuments section(String sectionMarkup) {
        bodies.add(sectionMarkup);
        return this;
    }

    /** An unstructured document: this markup is the nonXMLBody's content. */
    public CcdaDocuments nonXmlBody(String textElement) {
        this.nonXmlBody = textElement;
        return this;
    }

    public String xml() {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n")
                .append("<templateId root=\"2.16.840.1.113883.10.20.22.1.2\"/>\n")
                .append("<id root=\"2.16.840.1.113883.19.5.99999.1\" extension=\"").append(documentId).append("\"/>\n")
                .append("<code code=\"34133-9\" codeSystem=\"2.16.840.1.113883.6.1\" displayName=\"Summarization of Episode Note\"/>\n")
                .append("<title>Test document ").append(documentId).append("</title>\n")
                .append("<effectiveTime value=\"").append(effectiveTime).append("\"/>\n");
        if (setId != null) {
            xml.append("<setId root=\"2.16.840.1.113883.19.5.99999.1\" extension=\"").append(setId).append("\"/>\n")
                    .append("<versionNumber value=\"").append(version).append("\"/>\n");
        }
        xml.append("<recordTarget><patientRole><id root=\"2.16.840.1.113883.19.5.99999.2\" extension=\"").append(mrn).append("\"/>\n")
                .append("<patient><name><given>Vera</given><family>Versions</family></name>")
                .append("<administrativeGenderCode code=\"F\" codeSystem=\"2.16.840.1.113883.5.1\"/><birthTime value=\"19700101\"/></patient>\n")
                .append("</patientRole></recordTarget>\n")
                .append("<component>");
        if (nonXmlBody != null) {
            xml.append("<nonXMLBody>").append(nonXmlBody).append("</nonXMLBody>");
        } else {
            xml.append("<structuredBody>\n");
            if (!problems.isEmpty()) {
                xml.append("<component><section><code code=\"11450-4\" codeSystem=\"2.16.840.1.113883.6.1\"/><title>Problems</title>")
                        .append("<text>Problems of the patient</text>\n");
                problems.forEach(p -> xml.append(p).append('\n'));
                xml.append("</section></component>\n");
            }
            if (!results.isEmpty()) {
                xml.append("<component><section><code code=\"30954-2\" codeSystem=\"2.16.840.1.113883.6.1\"/><title>Results</title>")
                        .append("<text>Results of the patient</text>\n");
                results.forEach(r -> xml.append(r).append('\n'));
                xml.append("</section></component>\n");
            }
            bodies.forEach(b -> xml.append("<component>").append(b).append("</component>\n"));
            xml.append("</structuredBody>");
        }
        return xml.append("</component>\n</ClinicalDocument>\n").toString();
    }

    /** Writes the document into {@code folder} under {@code name}. */
    public Path writeTo(Path folder, String name) throws IOException {
        Files.createDirectories(folder);
        return Files.writeString(folder.resolve(name), xml(), StandardCharsets.UTF_8);
    }
}
