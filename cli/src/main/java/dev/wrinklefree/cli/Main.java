package dev.wrinklefree.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code wrinklefree} command line. Each job is one subcommand; errors are one clear line on stderr
 * and a non-zero exit, never a stack trace (set {@code -Dwrinklefree.debug=true} to see one).
 */
@Command(name = "wrinklefree",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Measures what 1.58-bit (ternary) LLM inference costs, and makes it cheaper.",
        subcommands = {
                CommandLine.HelpCommand.class,
                HardwareCommand.class,
                ReportCommand.class,
                CompareCommand.class,
                BenchCommand.class,
                MakeModelCommand.class,
                GenerateCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs the command line writing to {@code out} and {@code err} (null: standard streams); returns the exit code. */
    static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("wrinklefree " + cmd.getCommandName() + ": " + oneLine(ex) + " (see --help)");
            cmd.getErr().flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (Boolean.getBoolean("wrinklefree.debug")) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("wrinklefree " + cmd.getCommandName() + ": " + oneLine(ex));
            cmd.getErr().flush();
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    static String oneLine(Throwable ex) {
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            m = ex.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"wrinklefree " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
