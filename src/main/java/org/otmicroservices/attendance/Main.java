package org.otmicroservices.attendance;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.db.Database;
import org.otmicroservices.attendance.db.Migrations;
import org.otmicroservices.attendance.http.HttpServer;

/** Command line: serve (default) and the operator's commands. Fatal problems are one line on stderr and a non-zero exit. */
public final class Main {
    private static final String USAGE =
            "usage: java -jar attendance-api.jar [serve|migrate|release-locks|check-config|version|--help]";
    private static final String HELP = USAGE + """


            Commands:
              serve          run the service (the default): wait for PostgreSQL, apply migrations, serve HTTP
                             on server.port; SIGTERM stops it gracefully
              migrate        apply pending database migrations, then exit
              release-locks  release the Liquibase lock left behind by a migration that was killed, then exit
              check-config   validate the config and check that PostgreSQL and Redis answer, one line per
                             check; exit 0 only if every check passed
              version        print the version

            The config is config.yaml in the working directory, or the file named by CONFIG_FILE. Every key
            can be overridden by an environment variable named by its path (postgres.password -> POSTGRES_PASSWORD).
            Exit codes: 0 success, 1 failure, 2 bad command line.""";

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv());
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Returns the exit code, or -1 while the server runs on in its own threads. */
    static int run(String[] args, Map<String, String> env) {
        String command = args.length == 0 ? "serve" : args[0];
        if (args.length > 1) {
            return usage();
        }
        if (!command.equals("serve")) {
            Migrations.configureLiquibase(); // serve does it on the thread that connects to PostgreSQL (App.start)
        }
        try {
            switch (command) {
                case "serve" -> {
                    App app = App.start(Config.load(env), System.out);
                    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
                    return -1;
                }
                case "migrate" -> {
                    Config config = Config.load(env);
                    App.connectAndMigrate(config.postgres()).close();
                    System.err.println("attendance-api: database " + config.postgres().database() + " is up to date");
                    return 0;
                }
                case "release-locks" -> {
                    // For a lock left by an instance killed mid-migration; start-up names this command when it sees one.
                    Config config = Config.load(env);
                    Database.awaitReachable(config.postgres());
                    try (HikariDataSource pool = Database.pool(config.postgres())) {
                        new Migrations(pool).releaseLocks();
                    }
                    System.err.println("attendance-api: released the migration lock of database " + config.postgres().database());
                    return 0;
                }
                case "check-config" -> {
                    return new ConfigCheck(System.out).run(env);
                }
                case "version", "--version" -> {
                    System.out.println("attendance-api " + App.VERSION);
                    return 0;
                }
                case "help", "--help", "-h" -> {
                    System.out.println(HELP);
                    return 0;
                }
                default -> {
                    return usage();
                }
            }
        } catch (Config.ConfigException | Database.UnavailableException | Migrations.MigrationException
                 | HttpServer.ListenException e) {
            System.err.println("attendance-api: " + e.getMessage());
            return 1;
        }
    }

    private static int usage() {
        System.err.println(USAGE);
        return 2;
    }
}
