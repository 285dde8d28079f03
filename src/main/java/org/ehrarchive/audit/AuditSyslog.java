package org.ehrarchive.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.PhiSafe;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.quarkus.logging.Log;

/**
 * Forwards each access-audit event to a SIEM as a syslog message (RFC 5424) carrying its FHIR AuditEvent (IHE BALP,
 * {@link AuditEvents}), when {@code archive.audit.syslog.host} is set: over UDP (RFC 5426) or TCP with octet-counting
 * framing (RFC 6587). Forwarding never holds an access up: events wait in a bounded queue for one sender thread; what
 * cannot be sent (the SIEM down past the retries, the queue full) is counted and said in the log, and stays in the
 * access audit, which is the record (a SIEM catches up from the NDJSON export). The structured data names the event's
 * chain id and hash, so a forwarded event can be checked against {@code verify-audit}.
 */
@ApplicationScoped
public class AuditSyslog {

    /** Facility 10 (security/authorization), severity 5 (notice): what IHE ATNA sends audit messages as. */
    static final int PRIORITY = 10 * 8 + 5;
    /** The SD-ID of the chain's reference: a name at the private enterprise number RFC 5612 reserves for documentation. */
    static final String SD_ID = "audit@32473";
    private static final int QUEUE = 10_000;
    private static final int ATTEMPTS = 3;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    /** Where messages go. */
    record Target(String host, int port, boolean tcp) {
    }

    private final Optional<Target> target;
    private final String hostname;
    private final IParser json = FhirContext.forR4Cached().newJsonParser().setPrettyPrint(false);
    private final BlockingQueue<AuditRecord> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile boolean stopping;
    private Thread sender;
    private Socket socket;

    @Inject
    public AuditSyslog(ArchiveConfig config) {
        this(config.audit().syslog().host().filter(h -> !h.isBlank())
                .map(host -> new Target(host.trim(), config.audit().syslog().port(), protocol(config.audit().syslog().protocol()))));
    }

    AuditSyslog(Optional<Target> target) {
        this.target = target;
        this.hostname = localHostname();
    }

    /** Queues the event for the SIEM (nothing when forwarding is off). Never blocks, never throws. */
    public void forward(AuditRecord row) {
        if (target.isEmpty()) {
            return;
        }
        startSender();
        if (!queue.offer(row) && lost.incrementAndGet() % 1_000 == 1) {
            Log.warnf("Syslog forwarding is behind: %d audit events were not forwarded (the access audit holds them)", lost.get());
        }
    }

    /** How many events were sent, and how many could not be (for the tests and the log). */
    long forwarded() {
        return forwarded.get();
    }

    long lost() {
        return lost.get();
    }

    /** The RFC 5424 message of one audit event: header, the chain's reference as structured data, the AuditEvent as UTF-8 JSON. */
    String message(AuditRecord row) {
        return "<" + PRIORITY + ">1 " + RFC3339.format(row.occurredAt) + " " + hostname + " ehr-archive - " + row.action + " [" + SD_ID + " id=\""
                + row.id + "\" hash=\"" + escape(row.hash) + "\"] \uFEFF" + json.encodeResourceToString(AuditEvents.of(row));
    }

    private synchronized void startSender() {
        if (sender != null) {
            return;
        }
        sender = new Thread(this::send, "audit-syslog");
        sender.setDaemon(true);
        sender.start();
    }

    private void send() {
        Target to = target.orElseThrow();
        try (DatagramSocket udp = to.tcp() ? null : new DatagramSocket()) {
            while (!stopping || !queue.isEmpty()) {
                AuditRecord row = queue.poll(200, TimeUnit.MILLISECONDS);
                if (row == null) {
                    continue;
                }
                byte[] bytes = message(row).getBytes(StandardCharsets.UTF_8);
                boolean sent = false;
                for (int attempt = 1; attempt <= ATTEMPTS && !sent; attempt++) {
                    try {
                        if (to.tcp()) {
                            sendTcp(to, bytes);
                        } else {
                            udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(to.host()), to.port()));
                        }
                        sent = true;
                    } catch (IOException failed) {
                        closeTcp();
                        if (attempt == ATTEMPTS) {
                            lost.incrementAndGet();
                            Log.warnf("An audit event could not be forwarded to the SIEM at %s:%d: %s (the access audit holds it)", to.host(),
                                    to.port(), PhiSafe.describe(failed));
                        } else {
                            Thread.sleep(100L * attempt);
                        }
                    }
                }
                if (sent) {
                    forwarded.incrementAndGet();
                }
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            Log.errorf("Syslog forwarding could not start: %s", PhiSafe.describe(e));
        } finally {
            closeTcp();
        }
    }

    private void sendTcp(Target to, byte[] bytes) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.connect(new InetSocketAddress(to.host(), to.port()), 5_000);
        }
        OutputStream out = socket.getOutputStream();
        // octet counting (RFC 6587 3.4.1): the length, a space, the message
        out.write((bytes.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private void closeTcp() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // a broken connection is reopened by the next message
            }
            socket = null;
        }
    }

    /** On shutdown, what is queued is sent for up to two seconds. */
    @PreDestroy
    void stop() {
        stopping = true;
        Thread running = sender;
        if (running != null) {
            try {
                running.join(2_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (!queue.isEmpty()) {
                Log.warnf("%d audit events were not forwarded to the SIEM before shutdown (the access audit holds them)", queue.size());
            }
        }
    }

    private static boolean protocol(String protocol) {
        return switch (protocol == null ? "" : protocol.trim().toLowerCase(Locale.ROOT)) {
            case "tcp" -> true;
            case "udp" -> false;
            default -> throw new IllegalArgumentException("archive.audit.syslog.protocol is udp or tcp, not \"" + protocol + "\"");
        };
    }

    /** RFC 5424 6.3.3: '"', '\' and ']' are escaped in a parameter value. */
    private static String escape(String value) {
        return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]");
    }

    /** The host name a message names as its origin: RFC 5424 allows at most 255 printable characters, "-" when unknown. */
    private static String localHostname() {
        try {
            String name = InetAddress.getLocalHost().getHostName().replaceAll("[^\\x21-\\x7e]", "");
            return name.isEmpty() ? "-" : name.length() > 255 ? name.substring(0, 255) : name;
        } catch (IOException unknown) {
            return "-";
        }
    }
}
