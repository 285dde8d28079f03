package org.ehrarchive.support;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The operations the running archive publishes in its OpenAPI document, as {@code "METHOD /path"}: what the tests
 * that account for every endpoint compare their tables with, so that a new method on an existing path counts too.
 */
public final class PublishedOperations {

    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private PublishedOperations() {
    }

    /** Every published {@code "METHOD /path"} whose path passes the filter. */
    public static SortedSet<String> whosePath(Predicate<String> pathFilter) {
        Map<String, Map<String, Object>> paths = given().auth().preemptive().basic(TestAdmin.NAME, TestAdmin.PASSWORD).queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().jsonPath().getMap("paths");
        SortedSet<String> operations = new TreeSet<>();
        paths.forEach((path, item) -> {
            if (pathFilter.test(path)) {
                item.keySet().stream().filter(HTTP_METHODS::contains)
                        .forEach(method -> operations.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path));
            }
        });
        return operations;
    }
}
