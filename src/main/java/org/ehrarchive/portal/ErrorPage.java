package org.ehrarchive.portal;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The portal's error page: what happened and what to do, with the request id to quote; never internals. */
public final class ErrorPage {

    private ErrorPage() {
    }

    @CheckedTemplate(basePath = "ErrorPage")
    public static class Templates {
        public static native TemplateInstance error(int status, String title, String requestId);
    }
}
