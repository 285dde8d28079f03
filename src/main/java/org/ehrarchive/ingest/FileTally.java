package org.ehrarchive.ingest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.ehrarchive.ingest.IngestReport.Counts;
import org.ehrarchive.ingest.IngestReport.FileReport;
import org.ehrarchive.ingest.IngestReport.SectionReport;
import org.ehrarchive.record.Identifier;

import com.fasterxml.jackson.annotation.JsonAutoDetect;

/**
 * The running reconciliation of one file while its records are stored: counts per record type, the entries of the
 * sections still open and the lines of those closed, the patients' identifiers and the warnings. It is kept with
 * the file's checkpoint, so that a resumed file goes on counting where the stored chunks left off.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
final class FileTally {

    /** What became of one record. */
    enum Outcome {
        ARCHIVED, KEPT_RAW, QUARANTINED, DUPLICATE
    }

    private Map<String, Counts> records = new TreeMap<>();
    private Map<String, Counts> parts = new TreeMap<>();
    private Map<Integer, Counts> openSections = new TreeMap<>();
    /** Lines of the closed sections by ordinal: a nested section closes before its parent, the report lists document order. */
    private Map<Integer, SectionReport> sections = new TreeMap<>();
    private LinkedHashSet<Identifier> identifiers = new LinkedHashSet<>();
    private List<String> warnings = new ArrayList<>();

    FileTally copy() {
        FileTally copy = new FileTally();
        copy.records = new TreeMap<>(records);
        copy.parts = new TreeMap<>(parts);
        copy.openSections = new TreeMap<>(openSections);
        copy.sections = new TreeMap<>(sections);
        copy.identifiers = new LinkedHashSet<>(identifiers);
        copy.warnings = new ArrayList<>(warnings);
        return copy;
    }

    void count(String type, Integer sectionOrdinal, Outcome outcome) {
        Counts one = switch (outcome) {
            case ARCHIVED -> new Counts(1, 1, 0, 0, 0);
            case KEPT_RAW -> new Counts(1, 1, 0, 1, 0);
            case QUARANTINED -> new Counts(1, 0, 1, 0, 0);
            case DUPLICATE -> new Counts(1, 0, 0, 0, 1);
        };
        (RecordTypes.isPart(type) ? parts : records).merge(type, one, Counts::plus);
        if (sectionOrdinal != null) {
            openSections.merge(sectionOrdinal, one, Counts::plus);
        }
    }

    /** A section is complete: its line takes the counts of the entries that named it. */
    void closeSection(ImportedSection section) {
        Counts counts = openSections.getOrDefault(section.ordinal(), Counts.NONE);
        openSections.remove(section.ordinal());
        sections.put(section.ordinal(), sectionLine(section, counts));
    }

    /** The entries counted so far in a section. */
    Counts section(int ordinal) {
        return openSections.getOrDefault(ordinal, Counts.NONE);
    }

    static SectionReport sectionLine(ImportedSection section, Counts counts) {
        return new SectionReport(section.code() == null ? null : section.code().code(),
                section.code() == null ? null : section.code().codeSystem(), section.title(), section.kind(), section.locator(),
                counts.found(), counts.archived(), counts.quarantined(), counts.keptRaw(), counts.duplicates());
    }

    void identifiers(List<Identifier> given) {
        for (Identifier identifier : given) {
            // A NUL cannot be stored in the report (jsonb refuses it); its record is refused and says so.
            if (identifier.isUsable() && identifiers.size() < FileReport.MAX_LISTED_IDENTIFIERS && identifier.value().indexOf('\u0000') < 0) {
                identifiers.add(identifier);
            }
        }
    }

    void warnings(List<String> given) {
        for (String warning : given) {
            if (!warnings.contains(warning)) {
                warnings.add(warning);
            }
        }
    }

    /** A quarantined unit that was read: everything it holds is counted as found and quarantined. */
    void quarantinedFound(Map<String, Integer> recordsFound, List<QuarantineException.FoundSection> sectionsFound) {
        recordsFound.forEach((type, found) -> records.merge(type, new Counts(found, 0, found, 0, 0), Counts::plus));
        for (QuarantineException.FoundSection found : sectionsFound) {
            sections.put(found.section().ordinal(), sectionLine(found.section(), new Counts(found.entries(), 0, found.entries(), 0, 0)));
        }
    }

    FileReport report(String path, String sha256, String status, String reason, String format) {
        Counts sum = Counts.NONE;
        for (Counts counts : records.values()) {
            sum = sum.plus(counts);
        }
        return new FileReport(path, sha256, status, reason, format, List.copyOf(identifiers), java.util.Collections.unmodifiableMap(new TreeMap<>(records)),
                java.util.Collections.unmodifiableMap(new TreeMap<>(parts)),
                List.copyOf(sections.values()), List.copyOf(warnings), sum.found(), sum.archived(), sum.quarantined(), sum.keptRaw(),
                sum.duplicates());
    }
}
