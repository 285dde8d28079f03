package org.ehrarchive.security;

/** A signed-in user as the request sees it: the name and the one role (see {@link Roles}). */
public record Account(String username, String role) {
}
