package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.otmicroservices.attendance.config.Config;

/**
 * A PostgreSQL primary and a streaming standby of it, made for one test from the installed server binaries
 * (initdb, then pg_basebackup -R) in a temporary directory, on free loopback ports, as the postgres OS user.
 * Replication is synchronous unless asked otherwise: a commit returns once the standby has it. Trust
 * authentication: any password works.
 * close() stops both servers and removes the directory.
 */
final class PostgresReplicas implements AutoCloseable {
    static final String DATABASE = "attendance_ha";
    private static final Duration STEP = Duration.ofSeconds(60);

    private final Path bin;
    private final Path dir;
    private final Server primary;
    private final Server standby;

    /** One server of the pair: its data directory and port. */
    record Server(Path data, int port) {
        Config.HostPort host() {
            return new Config.HostPort("127.0.0.1", port);
        }
    }

    private PostgresReplicas(Path bin, Path dir) {
        this.bin = bin;
        this.dir = dir;
        this.primary = new Server(dir.resolve("primary"), Ports.free());
        this.standby = new Server(dir.resolve("standby"), Ports.free());
    }

    /** A running primary with DATABASE, and a running standby that the primary waits for on every commit. */
    static PostgresReplicas start() {
        return start(true);
    }

    /** As start(), the primary waiting for the standby on every commit only when synchronous. */
    static PostgresReplicas start(boolean synchronous) {
        PostgresReplicas pair = new PostgresReplicas(serverBinaries(), tempDirOwnedByPostgres());
        try {
            pair.initPrimary(synchronous);
            pair.cloneStandby();
            String state = synchronous ? "sync" : "async";
            pair.await("the standby replicating (" + state + ")", () -> pair.count(pair.primary,
                    "SELECT count(*) FROM pg_stat_replication WHERE sync_state = '" + state + "'") == 1);
            pair.execute(pair.primary, "postgres", "CREATE DATABASE " + DATABASE);
            // A synchronous commit waits for the standby to have the WAL, not to have replayed it.
            pair.await("the standby replaying the new database", () -> pair.count(pair.standby,
                    "SELECT count(*) FROM pg_database WHERE datname = '" + DATABASE + "'") == 1);
            return pair;
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    Server primary() {
        return primary;
    }

    Server standby() {
        return standby;
    }

    /** config pointed at both servers (primary first) and DATABASE. */
    Config config(Config config) {
        return TestConfigs.with(config, "postgres.hosts", List.of(primary.host().toString(), standby.host().toString()),
                "postgres.database", DATABASE);
    }

    /** As a crash: no shutdown checkpoint, connections cut. */
    void stopImmediately(Server server) {
        pgCtl(server, "stop", "-m", "immediate");
    }

    void startAgain(Server server) {
        pgCtl(server, "start", "-l", dir.resolve(server.data().getFileName() + ".log").toString());
    }

    /** Makes the standby the primary (pg_ctl promote waits until it takes writes). */
    void promote(Server server) {
        pgCtl(server, "promote");
    }

    void execute(Server server, String database, String sql) {
        try (Connection c = connect(server, database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    List<String> column(Server server, String sql) {
        try (Connection c = connect(server, DATABASE); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private long count(Server server, String sql) {
        try (Connection c = connect(server, "postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static Connection connect(Server server, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database, "postgres", "");
    }

    private void initPrimary(boolean synchronous) {
        asPostgres("initdb", List.of(bin.resolve("initdb").toString(), "-D", primary.data().toString(), "-U", "postgres",
                "-A", "trust", "--no-sync"));
        appendConf(primary, synchronous ? "synchronous_standby_names = '*'" : "");
        startAgain(primary);
    }

    private void cloneStandby() {
        asPostgres("pg_basebackup", List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(primary.port()), "-U", "postgres", "-D", standby.data().toString(),
                "-R", "-X", "stream", "-c", "fast", "--no-sync"));
        // Once promoted it has no standby of its own to wait for.
        appendConf(standby, "synchronous_standby_names = ''");
        startAgain(standby);
    }

    /** Each server's own port and socket directory, and what makes a test quick (no fsync: nothing crashes the OS). */
    private void appendConf(Server server, String extra) {
        String conf = "\nport = " + server.port() + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '"
                + dir + "'\nfsync = off\nwal_sender_timeout = 5s\nwal_receiver_status_interval = 1s\n" + extra + "\n";
        try {
            Files.writeString(server.data().resolve("postgresql.conf"), conf, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pgCtl(Server server, String... args) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", server.data().toString(), "-w"));
        command.addAll(List.of(args));
        asPostgres("pg_ctl-" + args[0], command);
    }

    private void asPostgres(String name, List<String> command) {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        ToolRun.Result result = ToolRun.run(dir.resolve("logs"), name + "-" + System.nanoTime(), STEP, full);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "):\n" + result.output());
        }
    }

    private void await(String what, java.util.function.BooleanSupplier condition) {
        Poll.until(what, STEP, condition);
    }

    /** The newest installed server's bin directory (Debian: /usr/lib/postgresql/VERSION/bin). */
    private static Path serverBinaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL server under /usr/lib/postgresql: `./run.sh test` installs it"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDirOwnedByPostgres() {
        try {
            Path dir = Files.createTempDirectory("attendance-pg-replicas-");
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            Files.createDirectories(dir.resolve("logs"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Server server : List.of(standby, primary)) {
            if (Files.exists(server.data().resolve("postmaster.pid"))) {
                try {
                    stopImmediately(server);
                } catch (RuntimeException e) {
                    // Already stopped, or it will not: the directory goes regardless.
                }
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
