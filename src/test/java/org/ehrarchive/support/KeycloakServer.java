package org.ehrarchive.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real OIDC provider for the single sign-on tests: Keycloak's own distribution (fetched by the build into
 * {@code target/keycloak/keycloak.zip}, see the pom), unpacked and started in development mode on 127.0.0.1 with the
 * realm {@code src/test/resources/oidc/archive-realm.json} (client {@code ehr-archive}, realm roles named like the
 * archive's, and users with one role, two roles and none).
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String REALM = "archive";
    public static final String CLIENT_ID = "ehr-archive";
    public static final String CLIENT_SECRET = "oidc-test-client-secret";
    private static final Duration START_LIMIT = Duration.ofMinutes(4);

    private final Process process;
    private final int port;
    private final Path log;

    private KeycloakServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Unpacks Keycloak under {@code work} and starts it; returns once the realm answers. */
    public static KeycloakServer start(Path work) throws IOException, InterruptedException {
        Path zip = Path.of(System.getProperty("keycloak.zip", "target/keycloak/keycloak.zip"));
        if (!Files.isRegularFile(zip)) {
            throw new AssertionError("Keycloak is missing at " + zip + ": the build's pre-integration-test phase fetches it (mvn verify)");
        }
        Path home = unpack(zip, work.resolve("keycloak"));
        Path imports = Files.createDirectories(home.resolve("data/import"));
        try (InputStream realm = KeycloakServer.class.getResourceAsStream("/oidc/archive-realm.json")) {
            Files.copy(realm, imports.resolve("archive-realm.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        int port = ArchiveJar.freePort();
        Path log = work.resolve("keycloak.log");
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-port=" + port, "--http-host=127.0.0.1", "--import-realm", "--http-management-port=" + ArchiveJar.freePort()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        KeycloakServer server = new KeycloakServer(builder.start(), port, log);
        server.awaitRealm();
        return server;
    }

    /** The issuer, for {@code QUARKUS_OIDC_AUTH_SERVER_URL}. */
    public String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    private void awaitRealm() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(START_LIMIT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("Keycloak stopped before it served: " + Files.readString(log));
            }
            try {
                if (http.send(discovery, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Keycloak did not serve its realm within " + START_LIMIT + ": " + Files.readString(log));
    }

    private static Path unpack(Path zip, Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            Path home = null;
            for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
                Path to = target.resolve(entry.getName()).normalize();
                if (!to.startsWith(target)) {
                    throw new IOException("entry outside the folder: " + entry.getName());
                }
                if (home == null) {
                    home = target.resolve(Path.of(entry.getName()).getName(0));
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return home;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }
}
