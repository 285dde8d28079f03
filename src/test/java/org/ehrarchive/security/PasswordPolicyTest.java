package org.ehrarchive.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The password policy for local accounts: long enough, not the user name, not what a guesser tries first. */
class PasswordPolicyTest {

    @Test
    void aLongPasswordOfItsOwnIsAccepted() {
        assertThat(PasswordPolicy.problem("jdoe", "correct horse battery")).isNull();
        assertThat(PasswordPolicy.problem("jdoe", "12-chars-ok!")).isNull();
    }

    @Test
    void shortOnesTheUserNameRepeatedCharactersAndCommonOnesAreRefusedWithAReason() {
        assertThat(PasswordPolicy.problem("jdoe", "short")).contains("at least 12 characters");
        assertThat(PasswordPolicy.problem("jdoe", null)).contains("at least 12 characters");
        assertThat(PasswordPolicy.problem("clinician1", "my-Clinician1-pass")).contains("user name");
        assertThat(PasswordPolicy.problem("jdoe", "aaaaaaaaaaaaaaaa")).contains("guesser");
        assertThat(PasswordPolicy.problem("jdoe", "Password1234")).contains("guesser");
    }
}
