package org.ehrarchive.audit;

import java.util.List;

/**
 * One access to record: who (user, role), what (action on an object), whose data (patients), from where
 * (client address), in which request, and why (purpose of use, when the caller knows it).
 * {@code detail} holds what else identifies the access, such as the search terms: the audit is protected
 * data like the record itself, unlike the logs.
 */
public record AccessEvent(String userName, String userRole, AuditAction action, String objectType, String objectId,
        List<Long> patientIds, String clientAddress, String requestId, String purpose, String detail) {

    public AccessEvent {
        patientIds = patientIds == null ? List.of() : List.copyOf(patientIds);
    }

    /**
     * An act done from the command line: the OS user, role {@code cli}, address {@code local}, and request id
     * {@code cli-<pid>} so that the events of one run can be found together.
     */
    public static AccessEvent byCommandLine(AuditAction action, String objectType, String objectId, String detail) {
        return new AccessEvent(System.getProperty("user.name"), "cli", action, objectType, objectId, List.of(), "local",
                "cli-" + ProcessHandle.current().pid(), null, detail);
    }
}
