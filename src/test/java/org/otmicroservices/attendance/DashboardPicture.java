package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One PNG of dashboard panels, plotted by gnuplot (Debian's gnuplot-nox) from the series Prometheus returned for
 * the panels' own queries, so a reader sees what the dashboard shows without a Grafana. Values are shown in the
 * panel's Grafana unit where it has a plain equivalent (percentunit as %, seconds as ms, bytes as MiB).
 */
final class DashboardPicture {
    /** points: seconds since the start of the picture's time range, and the value (NaN where there is none). */
    record Series(String legend, List<double[]> points) {}

    record Plot(String title, String unit, List<Series> series) {}

    private record Scale(double factor, String label) {}

    private static final Map<String, Scale> UNITS = Map.of("percentunit", new Scale(100, "%"), "s", new Scale(1000, "ms"),
            "bytes", new Scale(1.0 / (1 << 20), "MiB"), "reqps", new Scale(1, "requests/s"));
    private static final int COLUMNS = 3;
    private static final Duration GNUPLOT_TIMEOUT = Duration.ofSeconds(60);

    private DashboardPicture() {}

    /** Writes dir/NAME.png (with its data files and gnuplot script beside it) and returns its path. */
    static Path render(Path dir, String name, String title, List<Plot> plots) {
        Path png = dir.resolve(name + ".png");
        int rows = (plots.size() + COLUMNS - 1) / COLUMNS;
        StringBuilder script = new StringBuilder()
                .append("set terminal pngcairo size ").append(COLUMNS * 600).append(',').append(rows * 420)
                .append(" font 'DejaVu Sans,9' noenhanced\n")
                .append("set output ").append(quote(png.toString())).append('\n')
                .append("set datafile missing 'NaN'\nset grid\nset key below font ',8'\nset xlabel 'seconds since the start'\n")
                .append("set multiplot layout ").append(rows).append(',').append(COLUMNS)
                .append(" title ").append(quote(title)).append(" font ',12'\n");
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < plots.size(); i++) {
                Plot plot = plots.get(i);
                Scale scale = UNITS.getOrDefault(plot.unit(), new Scale(1, ""));
                List<Series> drawn = plot.series().stream().filter(DashboardPicture::hasValue).toList();
                Path data = dir.resolve(name + "-" + (i + 1) + ".dat");
                Files.writeString(data, dataBlocks(drawn, scale.factor()), StandardCharsets.UTF_8);
                script.append("set title ").append(quote(plot.title())).append('\n')
                        .append("set ylabel ").append(quote(scale.label())).append('\n')
                        .append("plot ").append(plotClauses(data, drawn)).append('\n');
            }
            script.append("unset multiplot\n");
            Path gp = dir.resolve(name + ".gp");
            Files.writeString(gp, script, StandardCharsets.UTF_8);
            ToolRun.Result result = ToolRun.run(dir, name + "-gnuplot", GNUPLOT_TIMEOUT,
                    List.of(DebianTool.path("gnuplot", "gnuplot-nox").toString(), gp.toString()));
            if (result.exitCode() != 0) {
                throw new IllegalStateException("gnuplot failed on " + gp + ":\n" + result.output());
            }
            return png;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hasValue(Series series) {
        return series.points().stream().anyMatch(p -> Double.isFinite(p[1]));
    }

    /** One gnuplot data block per series, separated by two blank lines, as "index N" selects them. */
    private static String dataBlocks(List<Series> series, double factor) {
        StringBuilder out = new StringBuilder();
        for (Series s : series) {
            for (double[] p : s.points()) {
                out.append(String.format(Locale.ROOT, "%.3f %s%n", p[0], Double.isFinite(p[1]) ? String.format(Locale.ROOT, "%.6g", p[1] * factor) : "NaN"));
            }
            out.append("\n\n");
        }
        return out.toString();
    }

    private static String plotClauses(Path data, List<Series> series) {
        if (series.isEmpty()) {
            // gnuplot cannot plot nothing: an empty panel, as Grafana shows "No data".
            return "NaN title 'no data'";
        }
        List<String> clauses = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            clauses.add((i == 0 ? quote(data.toString()) : "''") + " index " + i + " using 1:2 with lines lw 1.5 title "
                    + quote(series.get(i).legend()));
        }
        return String.join(", ", clauses);
    }

    /** A gnuplot string literal in single quotes, in which only a doubled quote is special. */
    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
