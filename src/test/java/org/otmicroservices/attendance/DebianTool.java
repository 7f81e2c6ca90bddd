package org.otmicroservices.attendance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A program from a Debian package that `./run.sh test` installs (ensure_test_tools): where it is, or why not. */
final class DebianTool {
    private DebianTool() {}

    /** /usr/bin/NAME or /usr/sbin/NAME; fails at once, naming the package to install, when it is missing. */
    static Path path(String name, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/usr/sbin")) {
            Path program = Path.of(dir, name);
            if (Files.isExecutable(program)) {
                return program;
            }
        }
        throw new IllegalStateException(name + " is not installed: `./run.sh test` installs it (apt-get install "
                + debianPackage + ")");
    }
}
