package org.ehrarchive;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The one configuration root of the archive ({@code archive.*}, or {@code ARCHIVE_*} in the environment).
 * Database connection settings stay under Quarkus's own {@code quarkus.datasource.*}; see ADR 0002.
 */
@ConfigMapping(prefix = "archive")
public interface ArchiveConfig {

    /** Root of everything the archive keeps on disk: blob store, embedded PostgreSQL. Default {@code ./archive-data}. */
    @WithDefault("archive-data")
    Path dataDir();

    /**
     * Password of the first admin user, created on a start with no admin ({@code ARCHIVE_BOOTSTRAP_ADMIN_PASSWORD});
     * without it a password is generated and printed once to the console. Secrets come from the environment.
     */
    java.util.Optional<String> bootstrapAdminPassword();

    /**
     * Free space the data directory's disk must have before the embedded PostgreSQL starts, and beyond a batch's
     * input before an ingest batch starts, in bytes. Read before
     * Quarkus starts, by {@code database.DiskSpace} (like {@link #dataDir()} by {@code ArchiveMain}); declared here so
     * that it is one of the archive's settings. Default 256 MiB.
     */
    @WithDefault("268435456")
    long minFreeBytes();

    /** Ingest pipeline settings. */
    Ingest ingest();

    /** Search index settings. */
    Search search();

    /** Sign-in, sessions, lockout and API tokens (docs/security.md). */
    Security security();

    /** The access audit's periodic check and its anchor outside the database (docs/security.md#the-access-audit). */
    Audit audit();

    /** How the portal shows dates (docs/portal.md#dates). */
    Portal portal();

    /** When two archived patients are proposed, or linked, as one person (docs/patient-identity.md). */
    Identity identity();

    /** Release of information: the clock and the fees (docs/compliance.md#release-of-information). */
    Release release();

    /**
     * Release-of-information settings. Fees follow 45 CFR 164.524(c)(4): labour for copying, supplies, postage; never
     * search or retrieval. Amounts are in the site's currency, as decimals ("25.00").
     */
    interface Release {
        /** The name the cover letters and notices are signed with. */
        @WithDefault("Health Information Management")
        String organization();

        /** Days from receipt to answer a request (164.524(b)(2)). */
        @WithDefault("30")
        int responseDays();

        /** Days the one extension adds, with a written notice (164.524(b)(2)(ii)). */
        @WithDefault("30")
        int extensionDays();

        /** Labour for copying, per hour of a person's time. */
        @WithDefault("25.00")
        java.math.BigDecimal labourPerHour();

        /** Supplies for a paper copy, per page (nothing for an electronic copy). */
        @WithDefault("0.10")
        java.math.BigDecimal paperPerPage();

        /** The flat fee that may be charged instead for an electronic copy (HHS: $6.50, an option, not a cap). */
        @WithDefault("6.50")
        java.math.BigDecimal flatFee();

        /** The currency symbol the invoice prints. */
        @WithDefault("$")
        String currency();
    }

    /** Restricted records and breaking the glass to read one (docs/compliance.md#break-the-glass). */
    BreakGlass breakGlass();

    /** Break-the-glass settings. */
    interface BreakGlass {
        /** How long a reader may read a restricted patient's record after stating why. Default 60 minutes. */
        @WithDefault("PT60M")
        Duration grantFor();
    }

    /** Patient identity settings. */
    interface Identity {
        /**
         * A scored candidate pair at or above this match score (0 to 1) is proposed for an admin's review; below it,
         * nothing happens. Default 0.85.
         */
        @WithDefault("0.85")
        double proposeAt();

        /**
         * A scored candidate pair at or above this score is linked without review (and can be undone). Unset by
         * default: every scored link waits for an admin. Must not be below {@link #proposeAt()}.
         */
        java.util.OptionalDouble autoLinkAt();
    }

    /** Portal settings. */
    interface Portal {
        /** The site's locale, a BCP 47 tag ({@code en-US}, {@code de-DE}): dates are written as it writes them. */
        @WithDefault("en-US")
        String locale();

        /**
         * The site's time zone ({@code America/Chicago}); default the machine's. A time is shown in the offset its source
         * gave, and that offset is named only when it differs from the site's.
         */
        java.util.Optional<String> timeZone();
    }

    /** Access audit settings. */
    interface Audit {
        /** Where the newest verified head of the audit chain is kept; default {@code <data-dir>/audit-anchor}. */
        java.util.Optional<Path> anchorFile();

        /** How often a running archive verifies the chain (from its last check on) and anchors its head. Default 30 s. */
        @WithDefault("30s")
        Duration checkInterval();

        /** When the working day starts, in the site's zone, for the after-hours access report (Monday to Friday). */
        @WithDefault("07:00")
        java.time.LocalTime workingHoursStart();

        /** When the working day ends, in the site's zone; access from this time to the next start is after hours. */
        @WithDefault("19:00")
        java.time.LocalTime workingHoursEnd();

        /** The mass-access report lists a user shown at least this many distinct patients within one window. */
        @WithDefault("50")
        int massAccessPatients();

        /** The window of the mass-access report, aligned to the clock (60 minutes: each clock hour). */
        @WithDefault("60m")
        Duration massAccessWindow();

        /** Forwarding each audit event to a SIEM as syslog (RFC 5424); off unless a host is set. */
        Syslog syslog();
    }

    /** Where audit events are forwarded as syslog, carrying the FHIR AuditEvent of each (docs/compliance.md). */
    interface Syslog {
        /** The SIEM's host; unset (the default): nothing is forwarded. */
        java.util.Optional<String> host();

        /** Its port. Default 514. */
        @WithDefault("514")
        int port();

        /** {@code udp} (RFC 5426), or {@code tcp} with octet-counting framing (RFC 6587). Default udp. */
        @WithDefault("udp")
        String protocol();
    }

    /** Security settings. */
    interface Security {
        /**
         * Whether the session cookie carries {@code Secure}, so a browser sends it over TLS only. Default true: run
         * behind a TLS proxy; false only for plain HTTP on a trusted network (the demo sets it false for itself).
         */
        @WithDefault("true")
        boolean secureCookies();

        /** A portal session ends after this long without a request. Default 30 minutes. */
        @WithDefault("PT30M")
        Duration sessionIdleTimeout();

        /** A portal session ends this long after sign-in, however active. Default 12 hours. */
        @WithDefault("PT12H")
        Duration sessionAbsoluteTimeout();

        /** Failed sign-ins of one account, within {@link #lockoutWindow()}, that lock it. Default 5. */
        @WithDefault("5")
        int lockoutFailuresPerAccount();

        /** Failed sign-ins from one client address, within the window, that lock that address. Default 20. */
        @WithDefault("20")
        int lockoutFailuresPerAddress();

        /** How far back failed sign-ins count. Default 15 minutes. */
        @WithDefault("PT15M")
        Duration lockoutWindow();

        /** How long a locked account or address stays locked. Default 15 minutes. */
        @WithDefault("PT15M")
        Duration lockoutDuration();

        /**
         * How long a verified HTTP Basic credential is remembered, so that an API client does not pay a bcrypt on
         * every request. A new password or a disabled user takes effect at once regardless. Default 5 minutes; 0
         * turns the cache off.
         */
        @WithDefault("PT5M")
        Duration basicCredentialCache();

        /** Validity of a new API token unless {@code token create --days} says otherwise. Default 90 days. */
        @WithDefault("90")
        int tokenValidityDays();

        /** Single sign-on: which identity-provider role stands for which archive role. */
        Oidc oidc();
    }

    /**
     * The roles of the identity provider's token (by default Keycloak's realm roles, {@code realm_access/roles} of
     * the access token) that give each archive role. A user must hold exactly one of them.
     */
    interface Oidc {
        @WithDefault("clinician")
        String clinicianRole();

        @WithDefault("compliance")
        String complianceRole();

        @WithDefault("admin")
        String adminRole();
    }

    /** Search settings. */
    interface Search {
        /** How often the process that owns the index indexes newly archived documents. Default 5 s. */
        @WithDefault("5s")
        Duration drainInterval();
    }

    /** Ingest settings. */
    interface Ingest {
        /**
         * Largest source file accepted, in bytes; a larger file is kept in the blob store and quarantined.
         * Default 256 MiB.
         */
        @WithDefault("268435456")
        long maxFileBytes();

        /** How often the plain (non-terminal) progress output prints a line. Default 5 s. */
        @WithDefault("5s")
        Duration progressInterval();
    }
}
