package org.ehrarchive.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.Test;

import ca.uhn.fhir.context.FhirContext;

/**
 * Syslog forwarding of the access audit (RFC 5424) to a SIEM: the message's header, the chain's reference as
 * structured data, the AuditEvent as its body (parsed back by HAPI); over UDP and over TCP with octet counting; a SIEM
 * that is down costs the caller nothing and is counted; forwarding off sends nothing.
 */
class AuditSyslogTest {

    @Test
    void overUdpEachEventIsOneRfc5424MessageCarryingItsAuditEventAndChainReference() throws Exception {
        try (DatagramSocket siem = new DatagramSocket(0)) {
            siem.setSoTimeout(5_000);
            AuditSyslog syslog = new AuditSyslog(Optional.of(new AuditSyslog.Target("127.0.0.1", siem.getLocalPort(), false)));
            syslog.forward(row(7, "VIEW_CHART", "5,9"));
            DatagramPacket packet = new DatagramPacket(new byte[65_535], 65_535);
            siem.receive(packet);
            String message = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            assertThat(message).startsWith("<85>1 2026-12-04T03:04:05.123456Z ");
            assertThat(message).contains(" ehr-archive - VIEW_CHART [audit@32473 id=\"7\" hash=\"" + "ab".repeat(32) + "\"] \uFEFF{");
            AuditEvent event = FhirContext.forR4Cached().newJsonParser().parseResource(AuditEvent.class, message.substring(message.indexOf('\uFEFF') + 1));
            assertThat(event.getEntity()).extracting(e -> e.getWhat().getReference()).contains("Patient/5", "Patient/9");
            assertThat(event.getAgentFirstRep().getName()).isEqualTo("reader-7");
            syslog.stop();
            assertThat(syslog.forwarded()).isEqualTo(1);
        }
    }

    @Test
    void overTcpMessagesAreFramedByOctetCounting() throws Exception {
        try (ServerSocket siem = new ServerSocket(0)) {
            AuditSyslog syslog = new AuditSyslog(Optional.of(new AuditSyslog.Target("127.0.0.1", siem.getLocalPort(), true)));
            syslog.forward(row(1, "LOGIN", null));
            syslog.forward(row(2, "SEARCH_TEXT", "3"));
            List<String> received = new ArrayList<>();
            try (Socket connection = siem.accept(); DataInputStream in = new DataInputStream(connection.getInputStream())) {
                connection.setSoTimeout(5_000);
                for (int i = 0; i < 2; i++) {
                    StringBuilder length = new StringBuilder();
                    for (int c = in.read(); c != ' '; c = in.read()) {
                        length.append((char) c);
                    }
                    byte[] message = new byte[Integer.parseInt(length.toString())];
                    in.readFully(message);
                    received.add(new String(message, StandardCharsets.UTF_8));
                }
            }
            assertThat(received).hasSize(2);
            assertThat(received.get(0)).contains(" LOGIN [audit@32473 id=\"1\"").endsWith("}");
            assertThat(received.get(1)).contains(" SEARCH_TEXT [audit@32473 id=\"2\"").endsWith("}");
            syslog.stop();
        }
    }

    @Test
    void aSiemThatIsDownCostsTheAccessNothingAndEveryLostEventIsCounted() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        AuditSyslog syslog = new AuditSyslog(Optional.of(new AuditSyslog.Target("127.0.0.1", closed, true)));
        long started = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            syslog.forward(row(i, "VIEW_DOCUMENT", "1"));
        }
        assertThat(System.nanoTime() - started).as("forward never waits for the SIEM").isLessThan(1_000_000_000L);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (syslog.lost() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(syslog.lost()).isEqualTo(3);
        assertThat(syslog.forwarded()).isZero();
    }

    @Test
    void withoutAHostNothingIsSent() {
        AuditSyslog off = new AuditSyslog(Optional.empty());
        off.forward(row(1, "LOGIN", null));
        assertThat(off.forwarded() + off.lost()).isZero();
    }

    private static AuditRecord row(long id, String action, String patients) {
        AuditRecord row = new AuditRecord();
        row.id = id;
        row.occurredAt = Instant.parse("2026-12-04T03:04:05.123456Z");
        row.userName = "reader-" + id;
        row.userRole = "clinician";
        row.action = action;
        row.objectType = "patient";
        row.objectId = "5";
        row.patientIds = patients;
        row.clientAddress = "127.0.0.1";
        row.previousHash = "00".repeat(32);
        row.hash = "ab".repeat(32);
        return row;
    }
}
