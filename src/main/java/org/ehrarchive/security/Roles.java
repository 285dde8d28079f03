package org.ehrarchive.security;

import java.util.List;

/**
 * The archive's roles (docs/security.md). Clinicians and compliance staff read patient data; compliance staff and
 * admins read the access audit; admins run the archive (users, ingest) but do not read charts.
 */
public final class Roles {

    public static final String CLINICIAN = "clinician";
    public static final String COMPLIANCE = "compliance";
    public static final String ADMIN = "admin";

    /** Every role, most privileged for audit purposes first. */
    public static final List<String> ALL = List.of(ADMIN, COMPLIANCE, CLINICIAN);

    private Roles() {
    }
}
