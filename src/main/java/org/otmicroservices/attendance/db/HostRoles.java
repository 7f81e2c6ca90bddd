package org.otmicroservices.attendance.db;

import java.util.List;
import org.otmicroservices.attendance.config.Config;

/**
 * Which role each configured PostgreSQL server has now (primary, standby or down), for health/detail. One short
 * connection per host answers it, so a flood of probes is served from the last answer for up to a second.
 */
public final class HostRoles {
    private static final long MAX_AGE_NANOS = 1_000_000_000L;
    private static final int TIMEOUT_SECONDS = 1;

    public record HostRole(String host, String role) {}

    private final Config.Postgres pg;
    private List<HostRole> last;
    private long askedAt;

    public HostRoles(Config.Postgres pg) {
        this.pg = pg;
    }

    /** Whether there is more than one host, so that roles say anything the plain up/down does not. */
    public boolean replicated() {
        return pg.hosts().size() > 1;
    }

    public synchronized List<HostRole> now() {
        if (last == null || System.nanoTime() - askedAt > MAX_AGE_NANOS) {
            last = pg.hosts().stream().map(this::ask).toList();
            askedAt = System.nanoTime();
        }
        return last;
    }

    private HostRole ask(Config.HostPort host) {
        try {
            return new HostRole(host.toString(), Database.probe(pg, host, TIMEOUT_SECONDS).role());
        } catch (Database.UnavailableException e) {
            return new HostRole(host.toString(), "down");
        }
    }
}
