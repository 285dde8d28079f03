package org.ehrarchive.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.ehrarchive.support.ArchiveTestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With {@code archive.audit.syslog.host} set, the running archive forwards what its access audit records: a refused
 * sign-in arrives at the SIEM as its {@code LOGIN_FAILED} event. (The message's form is AuditSyslogTest's.)
 */
@QuarkusTest
@TestProfile(AuditSyslogForwardingTest.ToALocalSiem.class)
@WithTestResource(ArchiveTestDatabase.class)
class AuditSyslogForwardingTest {

    /** The SIEM: a UDP socket the archive's configuration points at. */
    static final DatagramSocket SIEM;
    static {
        try {
            SIEM = new DatagramSocket(0);
            SIEM.setSoTimeout(500);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class ToALocalSiem implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("archive.audit.syslog.host", "127.0.0.1", "archive.audit.syslog.port", Integer.toString(SIEM.getLocalPort()));
        }
    }

    @Test
    void aRecordedEventArrivesAtTheSiem() throws Exception {
        String user = "syslog-nobody-" + System.nanoTime();
        given().auth().preemptive().basic(user, "wrong password").get("/api/patients?name=x").then().statusCode(401);
        long deadline = System.nanoTime() + 10_000_000_000L;
        DatagramPacket packet = new DatagramPacket(new byte[65_535], 65_535);
        while (System.nanoTime() < deadline) {
            try {
                SIEM.receive(packet);
            } catch (SocketTimeoutException none) {
                continue;
            }
            String message = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            if (message.contains(user)) {
                assertThat(message).startsWith("<85>1 ").contains(" LOGIN_FAILED [audit@32473 id=\"");
                return;
            }
        }
        throw new AssertionError("the SIEM received no message about " + user);
    }
}
