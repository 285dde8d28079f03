package org.ehrarchive.support;

/** The first admin of the test profile ({@code %test.archive.bootstrap-admin-password} in application.properties). */
public final class TestAdmin {

    public static final String NAME = "admin";
    public static final String PASSWORD = "test-admin-password";

    private TestAdmin() {
    }
}
