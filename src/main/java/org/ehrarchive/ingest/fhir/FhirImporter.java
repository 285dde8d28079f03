package org.ehrarchive.ingest.fhir;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.ehrarchive.ingest.Importer;
import org.ehrarchive.ingest.QuarantineException;
import org.ehrarchive.ingest.RecordSink;
import org.ehrarchive.ingest.SourceSniff;
import org.ehrarchive.ingest.SourceUnit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.PerformanceOptionsEnum;

/**
 * FHIR R4 (docs/formats/fhir.md, ADR 0014): bulk-export NDJSON (one resource per line, gzip-compressed too), bundles
 * of every type, single resources, JSON and XML. The unit of the reconciliation is the resource: each is one record
 * of its resource type, keyed by type and id, versioned by {@code meta.versionId} and {@code meta.lastUpdated}; a
 * Patient is the record its patient's resources belong to. The FHIR files of one folder are read together as one unit,
 * reference data and patients first, so that references between the files of an export resolve.
 */
@ApplicationScoped
public class FhirImporter implements Importer {

    /** The largest resource (an NDJSON line, a bundle entry) mapped in one piece; a larger one is counted and quarantined. */
    static final int MAX_RESOURCE_BYTES = 64 * 1024 * 1024;
    /** The largest FHIR XML file, read whole by HAPI (XML exports are small; bulk exports are NDJSON). */
    static final long MAX_XML_BYTES = 256L * 1024 * 1024;
    /** The deepest JSON nesting accepted: real resources nest a few dozen levels; a deeper one is an attack or a defect. */
    static final int MAX_NESTING = 128;
    /** The most files read together as one unit; a larger folder is read in consecutive units of this many files. */
    static final int MAX_UNIT_FILES = 2_000;

    /** The first {@code resourceType} member of JSON text: what detection, and a record that cannot be parsed, are named by. */
    static final Pattern RESOURCE_TYPE = Pattern.compile("\"resourceType\"\\s*:\\s*\"([A-Za-z]+)\"");
    private static final Pattern XML_ROOT = Pattern.compile("<(?:[A-Za-z_][\\w.-]*:)?([A-Za-z]+)[^>]*xmlns(?::[\\w.-]+)?\\s*=\\s*[\"']http://hl7\\.org/fhir[\"']");

    /** Resources other records point at and that belong to no patient: read first, so that rows can show their names. */
    static final Set<String> REFERENCE_TYPES = Set.of("Organization", "Practitioner", "PractitionerRole", "Location", "Medication",
            "HealthcareService", "Endpoint", "Substance", "Group", "OrganizationAffiliation");

    /** HAPI's context is expensive to build and safe to share; parsers are made per unit. */
    private static final FhirContext CONTEXT = newContext();

    private static FhirContext newContext() {
        FhirContext context = FhirContext.forR4Cached();
        context.setPerformanceOptions(PerformanceOptionsEnum.DEFERRED_MODEL_SCANNING);
        return context;
    }

    static FhirContext context() {
        return CONTEXT;
    }

    /** The bytes of a FHIR file as the importer reads them: inflated when they are gzip-compressed (by their magic bytes). */
    public static InputStream content(InputStream original) throws IOException {
        InputStream in = new BufferedInputStream(original, 1 << 16);
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        if (first == 0x1F && second == 0x8B) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    /** JSON read within the importer's limits: nesting, and the length of one string (a resource's inline data). */
    public static JsonFactory jsonFactory() {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).maxStringLength(MAX_RESOURCE_BYTES).build())
                .build();
    }

    @Override
    public String format() {
        return "fhir";
    }

    /** By content, whatever the name: JSON that names a {@code resourceType} early, XML in the FHIR namespace, or either gzipped. */
    @Override
    public boolean accepts(SourceSniff sniff) {
        return kindOf(sniff.fileName(), sniff.head()) != null;
    }

    /** What a file holds, judged from its first bytes (inflated when gzipped); null when it is not FHIR. */
    static Head kindOf(String name, byte[] head) {
        boolean gzip = head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
        byte[] bytes = gzip ? inflatedHead(head) : head;
        String text = new SourceSniff(name, bytes).headText();
        if (text.startsWith("{")) {
            Matcher type = RESOURCE_TYPE.matcher(text);
            if (!type.find()) {
                return null;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            String bare = lower.endsWith(".gz") ? lower.substring(0, lower.length() - 3) : lower;
            boolean ndjson = bare.endsWith(".ndjson") || bare.endsWith(".jsonl");
            return new Head(gzip, ndjson ? Head.Kind.NDJSON : Head.Kind.JSON, type.group(1));
        }
        if (text.startsWith("<")) {
            Matcher root = XML_ROOT.matcher(text);
            if (root.find()) {
                return new Head(gzip, Head.Kind.XML, root.group(1));
            }
        }
        return null;
    }

    /** A file as detection sees it: compressed or not, its serialization, the type of its first resource. */
    record Head(boolean gzip, Kind kind, String firstType) {
        enum Kind {
            NDJSON, JSON, XML
        }

        /** Reference data first, then patients, then bundles (which carry their own patients), then the rest. */
        int rank() {
            if (REFERENCE_TYPES.contains(firstType)) {
                return 0;
            }
            return switch (firstType) {
                case "Patient" -> 1;
                case "Bundle" -> 2;
                default -> 3;
            };
        }
    }

    private static byte[] inflatedHead(byte[] head) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(head))) {
            return in.readNBytes(SourceSniff.HEAD_BYTES);
        } catch (IOException e) {
            // The head ends inside the compressed stream: what inflated so far is all detection needs, or nothing.
            return partialInflate(head);
        }
    }

    private static byte[] partialInflate(byte[] head) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(head))) {
            byte[] buffer = new byte[512];
            for (int n = in.read(buffer); n > 0 && out.size() < SourceSniff.HEAD_BYTES; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // truncated input: keep what was inflated
        }
        return out.toByteArray();
    }

    /**
     * The FHIR files of a folder are one unit (an export's Patient file and the files that refer to it), ordered so that
     * what is referred to comes first: reference data, patients, bundles, the rest; by name within each.
     */
    @Override
    public List<List<Path>> units(Path folder, List<Path> files) {
        record Ranked(Path path, int rank) {
        }
        List<Ranked> fhir = new ArrayList<>();
        for (Path file : files) {
            Head head = headOf(file);
            if (head != null) {
                fhir.add(new Ranked(file, head.rank()));
            }
        }
        if (fhir.size() < 2) {
            return List.of();
        }
        List<Path> ordered = fhir.stream().sorted(Comparator.comparingInt(Ranked::rank).thenComparing(Ranked::path)).map(Ranked::path).toList();
        List<List<Path>> units = new ArrayList<>();
        for (int from = 0; from < ordered.size(); from += MAX_UNIT_FILES) {
            units.add(ordered.subList(from, Math.min(ordered.size(), from + MAX_UNIT_FILES)));
        }
        return units;
    }

    private static Head headOf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return kindOf(file.getFileName().toString(), in.readNBytes(SourceSniff.HEAD_BYTES));
        } catch (IOException e) {
            return null; // read alone later, and reported then
        }
    }

    @Override
    public void read(SourceUnit unit, RecordSink sink) throws QuarantineException {
        new FhirReading(unit, sink).read();
    }
}
