package org.ehrarchive.ingest;

import java.util.List;

/** What an importer read from one source file: one document for a C-CDA, possibly many for a message archive. */
public record ImportResult(String format, List<ImportedDocument> documents, List<String> warnings) {
}
