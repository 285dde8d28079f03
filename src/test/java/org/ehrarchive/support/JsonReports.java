package org.ehrarchive.support;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reading the JSON reconciliation report ({@code ingest --report-json}) as a script would, and the originals it names. */
public final class JsonReports {

    private JsonReports() {
    }

    public static JsonNode read(Path report) throws IOException {
        return new ObjectMapper().readTree(report.toFile());
    }

    /** The report's line for a file, by its path relative to the ingested folder. */
    public static JsonNode fileNamed(JsonNode report, String path) {
        for (JsonNode file : report.get("files")) {
            if (file.get("path").asText().equals(path)) {
                return file;
            }
        }
        throw new AssertionError("no file " + path + " in the report: " + report.get("files"));
    }

    /** Where the blob store keeps the original with this SHA-256. */
    public static Path blob(Path dataDir, String sha256) {
        return dataDir.resolve("blobs/sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }
}
