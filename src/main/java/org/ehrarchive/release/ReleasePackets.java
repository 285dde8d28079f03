package org.ehrarchive.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.blob.BlobStore;
import org.ehrarchive.chart.ClinicalDates;
import org.ehrarchive.chart.EntryFacts;
import org.ehrarchive.record.ChartService;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.restriction.Restrictions;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.jsoup.Jsoup;

import ca.uhn.fhir.context.FhirContext;

/**
 * What a release holds (docs/compliance.md#release-of-information): the request's selection of the person's chart (its
 * record types and date range), minus what the rule withholds, as the packet's parts (a chart summary, then each
 * document with its sections' text and its attachments listed) and, for a machine-readable copy, a FHIR R4 bundle with
 * the selected documents' originals, byte-exact. Psychotherapy notes and records flagged as 42 CFR Part 2 substance-use
 * treatment are withheld unless the authorization covers them, and the packet says what was withheld and why.
 */
@ApplicationScoped
public class ReleasePackets {

    /** The record type that selects the documents themselves, beside the entry kinds. */
    public static final String DOCUMENTS = "DOCUMENTS";
    /** The flag categories withheld unless the authorization names them. */
    static final Set<Restrictions.Category> WITHHELD_UNLESS_COVERED = EnumSet.of(Restrictions.Category.PSYCHOTHERAPY, Restrictions.Category.PART2);

    /** The selection: the packet's parts, what was withheld, the documents included, and a short description for the disclosure log. */
    public record Selection(List<ReleasePdf.Part> parts, List<ReleasePdf.Withheld> withheld, List<ChartService.DocumentView> documents,
            List<Long> patientIds, String patientName, String description) {
    }

    private final ChartService charts;
    private final Restrictions restrictions;
    private final BlobStore blobs;
    private final ClinicalDates dates;

    public ReleasePackets(ChartService charts, Restrictions restrictions, BlobStore blobs, ClinicalDates dates) {
        this.charts = charts;
        this.restrictions = restrictions;
        this.blobs = blobs;
        this.dates = dates;
    }

    /** The selection a request makes of its patient's chart. */
    public Selection select(ReleaseRequest request) {
        ChartService.Chart chart = charts.chart(request.patientId()).orElseThrow(() -> new IllegalStateException("the patient is gone"));
        Set<String> types = request.recordTypes().isEmpty() ? null : Set.copyOf(request.recordTypes());
        Set<String> covered = Set.copyOf(request.authorizationCovers());
        List<ReleasePdf.Withheld> withheld = new ArrayList<>();

        // What the flags withhold: a whole patient (every source of the person), or single documents.
        Map<Long, Restrictions.Category> withheldDocuments = new LinkedHashMap<>();
        Optional<Restrictions.Category> wholePatient = Optional.empty();
        for (Restrictions.Flag flag : restrictions.flagsOfChart(chart.patientIds())) {
            if (flag.lifted() || !WITHHELD_UNLESS_COVERED.contains(flag.category()) || covered.contains(flag.category().name())) {
                continue;
            }
            if (flag.documentId() != null) {
                withheldDocuments.putIfAbsent(flag.documentId(), flag.category());
            } else {
                wholePatient = Optional.of(flag.category());
            }
        }
        if (wholePatient.isPresent()) {
            withheld.add(new ReleasePdf.Withheld("The whole record", why(wholePatient.get())));
            return new Selection(List.of(new ReleasePdf.Part("Chart summary", List.of("Nothing of this record can be released under this"
                    + " request: see what was withheld on the cover."))), withheld, List.of(), chart.patientIds(), name(chart),
                    "nothing (the whole record was withheld: " + wholePatient.get().label() + ")");
        }

        List<String> summary = new ArrayList<>(demographics(chart));
        List<String> kindsShown = new ArrayList<>();
        for (Map.Entry<EntryKind, List<ChartService.EntryView>> kind : chart.entries().entrySet()) {
            if (types != null && !types.contains(kind.getKey().name())) {
                continue;
            }
            List<String> lines = new ArrayList<>();
            int withheldEntries = 0;
            for (ChartService.EntryView entry : kind.getValue()) {
                if (entry.documentId() != null && withheldDocuments.containsKey(entry.documentId())) {
                    withheldEntries++;
                } else if (inRange(request, ClinicalDates.earliestDay(entry.effective() == null ? null : entry.effective().sortKey()))) {
                    lines.add(entryLine(entry));
                }
            }
            if (withheldEntries > 0) {
                withheld.add(new ReleasePdf.Withheld(withheldEntries + " " + label(kind.getKey()).toLowerCase() + " entr" + (withheldEntries == 1 ? "y" : "ies")
                        + " from withheld documents",
                        "they come from the documents withheld below"));
            }
            if (!lines.isEmpty()) {
                summary.add("");
                summary.add("## " + label(kind.getKey()) + " (" + lines.size() + ")");
                summary.addAll(lines);
                kindsShown.add(label(kind.getKey()).toLowerCase());
            }
        }
        List<ReleasePdf.Part> parts = new ArrayList<>();
        parts.add(new ReleasePdf.Part("Chart summary", summary));

        List<ChartService.DocumentView> included = new ArrayList<>();
        if (types == null || types.contains(DOCUMENTS)) {
            for (ChartService.DocumentSummary document : chart.documents()) {
                Restrictions.Category flagged = withheldDocuments.get(document.id());
                String when = dates.format(document.effectiveTime());
                if (flagged != null) {
                    withheld.add(new ReleasePdf.Withheld("Document " + document.id() + (when.isBlank() ? "" : " of " + when), why(flagged)));
                    continue;
                }
                if (document.superseded() || !inRange(request, ClinicalDates.day(document.effectiveTime()))) {
                    continue;
                }
                charts.document(document.id()).ifPresent(view -> {
                    included.add(view);
                    parts.add(new ReleasePdf.Part("Document: " + (view.title() == null ? "(untitled)" : view.title())
                            + (when.isBlank() ? "" : " (" + when + ")"), documentLines(view), images(view)));
                });
            }
        }
        String description = (kindsShown.isEmpty() ? "demographics" : "demographics, " + String.join(", ", kindsShown))
                + (included.isEmpty() ? "" : "; " + included.size() + " document" + (included.size() == 1 ? "" : "s"))
                + (request.fromDate() != null || request.toDate() != null ? "; from " + (request.fromDate() == null ? "the start" : request.fromDate())
                        + " to " + (request.toDate() == null ? "the end" : request.toDate()) : "");
        return new Selection(parts, withheld, included, chart.patientIds(), name(chart), description);
    }

    /** The machine-readable copy: a FHIR R4 collection bundle of the patient and each selected document's original. */
    public byte[] machineReadable(ReleaseRequest request, Selection selection) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
        bundle.setTimestamp(new Date());
        bundle.setIdentifier(new Identifier().setSystem("https://ehr-archive.org/release-request").setValue(Long.toString(request.id())));
        Patient patient = new Patient();
        patient.setId("patient-" + request.patientId());
        ChartService.Chart chart = charts.chart(request.patientId()).orElseThrow();
        chart.identifiers().forEach(i -> patient.addIdentifier(new Identifier().setSystem(i.system()).setValue(i.value())));
        chart.demographics().stream().filter(d -> d.names() != null).flatMap(d -> d.names().stream()).findFirst()
                .ifPresent(n -> patient.addName(new HumanName().setText(n.display())));
        bundle.addEntry().setFullUrl("urn:uuid:patient-" + request.patientId()).setResource(patient);
        for (ChartService.DocumentView document : selection.documents()) {
            DocumentReference reference = new DocumentReference();
            reference.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
            reference.setSubject(new Reference("urn:uuid:patient-" + request.patientId()));
            reference.setDescription(document.title());
            reference.addIdentifier(new Identifier().setSystem("urn:ietf:rfc:6920").setValue("sha-256:" + document.sourceSha256()));
            try {
                byte[] original = blobs.read(document.sourceSha256());
                reference.addContent().getAttachment().setContentType(mediaType(document.format())).setData(original).setTitle(document.title());
            } catch (IOException e) {
                throw new UncheckedIOException("the original of document " + document.id() + " could not be read", e);
            }
            bundle.addEntry().setFullUrl("urn:uuid:document-" + document.id()).setResource(reference);
        }
        return FhirContext.forR4Cached().newJsonParser().setPrettyPrint(true).encodeResourceToString(bundle)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String why(Restrictions.Category category) {
        return switch (category) {
            case PSYCHOTHERAPY -> "psychotherapy notes, which a release includes only under an authorization that names them (45 CFR 164.508(a)(2),"
                    + " 164.524(a)(1)(i))";
            case PART2 -> "substance-use treatment records under 42 CFR Part 2, released only with the patient's written consent naming them"
                    + " (42 CFR 2.31)";
            default -> category.label();
        };
    }

    private boolean inRange(ReleaseRequest request, Optional<LocalDate> day) {
        if (day.isEmpty()) {
            return true; // a record without a date is not left out by a date range: nobody could tell it was outside it
        }
        return (request.fromDate() == null || !day.get().isBefore(request.fromDate())) && (request.toDate() == null || !day.get().isAfter(request.toDate()));
    }

    private List<String> demographics(ChartService.Chart chart) {
        List<String> lines = new ArrayList<>();
        lines.add("Name: " + name(chart));
        chart.demographics().stream().filter(d -> d.birthTime() != null).findFirst().ifPresent(d -> lines.add("Born: " + dates.format(d.birthTime())));
        chart.demographics().stream().filter(d -> d.sex() != null && d.sex().label() != null).findFirst()
                .ifPresent(d -> lines.add("Sex: " + d.sex().label()));
        chart.identifiers().stream().map(i -> i.value() + (i.assigningAuthority() != null ? " (" + i.assigningAuthority() + ")" : ""))
                .distinct().forEach(i -> lines.add("Identifier: " + i));
        chart.sources().forEach(s -> lines.add("Source: " + s.format() + " from \"" + s.sourceSystem() + "\", " + s.fileCount() + " file(s)"));
        return lines;
    }

    private static String name(ChartService.Chart chart) {
        return chart.demographics().stream().filter(d -> d.names() != null).flatMap(d -> d.names().stream()).map(PersonName::display)
                .filter(n -> n != null && !n.isBlank()).findFirst().orElse("archive patient " + chart.patientId());
    }

    private String entryLine(ChartService.EntryView entry) {
        String what = entry.display() != null ? entry.display() : entry.code() != null && entry.code().label() != null ? entry.code().label() : "(unnamed)";
        String value = EntryFacts.valueText(entry);
        String when = entry.effective() == null ? "" : dates.format(entry.effective());
        return (when.isBlank() ? "" : when + " · ") + what + (value == null || value.isBlank() ? "" : " · " + value)
                + (entry.status() == null ? "" : " · " + entry.status().toLowerCase());
    }

    private List<String> documentLines(ChartService.DocumentView document) {
        List<String> lines = new ArrayList<>();
        lines.add("Format: " + document.format() + (document.type() != null && document.type().label() != null ? " · " + document.type().label() : ""));
        lines.add("Original: SHA-256 " + document.sourceSha256());
        for (ChartService.SectionView section : document.sections()) {
            lines.add("");
            lines.add("## " + (section.title() == null ? "(untitled section)" : section.title()));
            if (section.narrative() != null && !section.narrative().isBlank()) {
                // the narrative's text, block by block: the markup is the source's, never printed as such
                var body = Jsoup.parse(section.narrative()).body();
                body.select("br").append("\n");
                body.select("p, div, tr, li, paragraph, item, h1, h2, h3, h4").append("\n");
                for (String line : body.wholeText().split("\n")) {
                    if (!line.isBlank()) {
                        lines.add(line.strip().replaceAll("\\s+", " "));
                    }
                }
            } else {
                section.entries().forEach(e -> lines.add(entryLine(e)));
            }
        }
        for (ChartService.AttachmentView attachment : document.attachments()) {
            lines.add("");
            lines.add("Attached file: " + (attachment.mediaType() == null ? "unknown type" : attachment.mediaType())
                    + (attachment.sizeBytes() == null ? "" : ", " + attachment.sizeBytes() + " bytes")
                    + (attachment.sha256() == null ? "" : ", SHA-256 " + attachment.sha256()));
        }
        return lines;
    }

    /** The most pages of one attached PDF printed as images: a packet stays a size a person can be sent. */
    static final int MOST_ATTACHED_PAGES = 200;

    /**
     * The document's attached files as the packet shows them: an image as it is, each page of a PDF (a scan, a fax)
     * rendered at 110 dpi. Other kinds, and what is only referenced, are named in the lines, not printed.
     */
    private List<ReleasePdf.Image> images(ChartService.DocumentView document) {
        List<ReleasePdf.Image> images = new ArrayList<>();
        int number = 0;
        for (ChartService.AttachmentView attachment : document.attachments()) {
            number++;
            String type = attachment.mediaType() == null ? "" : attachment.mediaType().toLowerCase(java.util.Locale.ROOT);
            if (attachment.sha256() == null || !(type.startsWith("image/") || type.equals("application/pdf"))) {
                continue;
            }
            byte[] bytes;
            try {
                bytes = blobs.read(attachment.sha256());
            } catch (IOException missing) {
                images.add(new ReleasePdf.Image("Attached file " + number + " (" + type + "): missing from the blob store; run a fixity check", null));
                continue;
            }
            if (type.startsWith("image/")) {
                images.add(new ReleasePdf.Image("Attached file " + number + " (" + type + ")", bytes));
                continue;
            }
            try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(bytes)) {
                org.apache.pdfbox.rendering.PDFRenderer renderer = new org.apache.pdfbox.rendering.PDFRenderer(pdf);
                int pages = Math.min(pdf.getNumberOfPages(), MOST_ATTACHED_PAGES);
                for (int page = 0; page < pages; page++) {
                    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
                    javax.imageio.ImageIO.write(renderer.renderImageWithDPI(page, 110, org.apache.pdfbox.rendering.ImageType.RGB), "png", png);
                    images.add(new ReleasePdf.Image("Attached file " + number + " (PDF), page " + (page + 1) + " of " + pdf.getNumberOfPages(),
                            png.toByteArray()));
                }
                if (pdf.getNumberOfPages() > pages) {
                    images.add(new ReleasePdf.Image("Attached file " + number + ": the other " + (pdf.getNumberOfPages() - pages)
                            + " pages are in the original, not printed here", null));
                }
            } catch (IOException | RuntimeException unreadable) {
                images.add(new ReleasePdf.Image("Attached file " + number + " (PDF): it could not be rendered; the original is in the archive", null));
            }
        }
        return images;
    }

    private static String label(EntryKind kind) {
        String name = kind.name().replace('_', ' ').toLowerCase();
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static String mediaType(String format) {
        return switch (format == null ? "" : format) {
            case "ccda" -> "application/xml";
            case "fhir" -> "application/fhir+json";
            case "hl7v2" -> "x-application/hl7-v2+er7";
            default -> "application/octet-stream";
        };
    }
}
