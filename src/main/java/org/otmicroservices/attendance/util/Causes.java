package org.otmicroservices.attendance.util;

/** What a chain of exceptions says at its root: drivers wrap the useful message several levels deep. */
public final class Causes {
    private Causes() {}

    /** The first line of the innermost message (or the innermost class name when it has none). */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.lines().findFirst().orElse("").strip();
    }
}
