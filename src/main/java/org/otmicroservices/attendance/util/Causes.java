package org.otmicroservices.attendance.util;

import java.util.Optional;
import java.util.function.Predicate;

/** What a chain of exceptions says: drivers and frameworks wrap the useful exception several levels deep. */
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

    /** The outermost exception of the chain (e itself included) that is a T and passes the test. */
    public static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type, Predicate<T> test) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t) && test.test(type.cast(t))) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    public static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type) {
        return find(e, type, t -> true);
    }
}
