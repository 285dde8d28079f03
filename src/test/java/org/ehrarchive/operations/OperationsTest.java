package org.ehrarchive.operations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;

import java.nio.file.Path;

import jakarta.inject.Inject;

import org.ehrarchive.ingest.IngestProgress;
import org.ehrarchive.ingest.IngestService;
import org.ehrarchive.support.ArchiveTestDatabase;
import org.ehrarchive.support.Fixtures;
import org.ehrarchive.support.TestAdmin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(ArchiveTestDatabase.class)
class OperationsTest {

    @Inject
    IngestService ingest;

    @Test
    void healthReportsTheDatabaseAndTheBlobStore() {
        given().when().get("/q/health").then()
                .statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.name", hasItems("blob-store", "search-index", "Database connections health check"));
    }

    @Test
    void metricsCountIngestedFilesAndEntries(@TempDir Path folder) throws Exception {
        Fixtures.copy("ccda", "undeclared-prefixes.xml", folder);
        ingest.ingest(folder, IngestProgress.NONE);
        given().when().get("/q/metrics").then().statusCode(401);
        given().auth().preemptive().basic(TestAdmin.NAME, TestAdmin.PASSWORD).when().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("archive_ingest_files_total"))
                .body(containsString("archive_ingest_records_total"));
    }
}
