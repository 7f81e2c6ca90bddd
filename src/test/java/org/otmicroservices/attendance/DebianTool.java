package org.otmicroservices.attendance;

import java.nio.file.Files;
import java.nio.file.Path;

/** A program from a Debian package that `./run.sh test` installs (ensure_test_tools): where it is, or why not. */
final class DebianTool {
    private DebianTool() {}

    /** /usr/bin/NAME; fails at once, naming the package to install, when it is missing. */
    static Path path(String name, String debianPackage) {
        Path program = Path.of("/usr/bin", name);
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException(name + " is not installed: `./run.sh test` installs it (apt-get install "
                    + debianPackage + ")");
        }
        return program;
    }
}
