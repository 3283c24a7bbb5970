package dev.wrinklefree.kernels.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The native kernel library ({@code libwrinklefree}, C sources in {@code bitnet-kernels/src/main/c}), loaded
 * once per JVM: from {@value #PATH_PROPERTY} when set, else from the jar resource
 * {@code native/<os>-<arch>/libwrinklefree.so}, extracted to a cache directory (see {@value #CACHE_PROPERTY}).
 * Loading never throws: when it fails, {@link #unavailableReason()} says why in one line.
 *
 * <p>System properties, read once at first use:
 * <ul>
 *   <li>{@value #PATH_PROPERTY}: a library file to load instead of the bundled one.
 *   <li>{@value #CACHE_PROPERTY}: the directory the bundled library is extracted to (default
 *       {@code $XDG_CACHE_HOME/wrinklefree/native} or {@code ~/.cache/wrinklefree/native}, falling back to
 *       {@code <java.io.tmpdir>/wrinklefree-native-<user>}); one subdirectory per library content hash.
 * </ul>
 *
 * <p>Downcalls use {@link Linker.Option#critical(boolean) critical(true)}: no thread-state transition, and heap
 * arrays are passed in place. A critical call delays safepoints (and so garbage collection) until it
 * returns, which is why {@link NativeKernel} bounds the work of one call.
 */
public final class NativeLibrary {
    /** System property: path of a library file to load instead of the one bundled in the jar. */
    public static final String PATH_PROPERTY = "wrinklefree.native.path";
    /** System property: directory the bundled library is extracted to. */
    public static final String CACHE_PROPERTY = "wrinklefree.native.cache";
    /** The {@code wf_abi_version()} this class was written against. */
    static final int ABI_VERSION = 2;

    /**
     * What a loaded library offers. The kernels' handles are {@link Downcall}s, linked on first use: linking
     * one costs several milliseconds (a stub is generated per signature), and a process that uses only one
     * kernel should not pay for all of them when it opens a model. Callers keep the handle in a static final,
     * where the JIT folds it.
     */
    record Loaded(Path path, String buildInfo, CpuFeatures cpu, int compiledMask, int usableMask,
                  Downcall matmul, MethodHandle noop, Downcall readSum, Lut lut, int denseIsa,
                  Downcall denseGemv, Downcall hugeAlloc, Downcall hugeFree) {
    }

    /** A downcall handle linked on the first {@link #get()}. */
    static final class Downcall {
        private final MemorySegment symbol;
        private final FunctionDescriptor descriptor;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        private Downcall(MemorySegment symbol, FunctionDescriptor descriptor, Linker.Option... options) {
            this.symbol = symbol;
            this.descriptor = descriptor;
            this.options = options;
        }

        /** The handle, linked now if this is the first call. */
        MethodHandle get() {
            MethodHandle h = handle;
            if (h == null) {
                h = Linker.nativeLinker().downcallHandle(symbol, descriptor, options);
                handle = h; // racing threads may both link; either handle is as good
            }
            return h;
        }
    }

    /**
     * The LUT kernels ({@code wf_lut.h}): whether this CPU runs them, the layout's parameters, and the handles.
     *
     * @param rowsPerPanel rows interleaved per panel of the layout (row ranges should start at multiples of it)
     * @param segmentsPerChunk 256-weight segments per chunk of the layout
     * @param wordsPerSegment 16-bit words per 32-row group and segment
     */
    record Lut(boolean usable, int rowsPerPanel, int segmentsPerChunk, int wordsPerSegment, Downcall layoutBytes,
               Downcall tokenTableEntries, Downcall pack, Downcall tables, Downcall matmul, Downcall tlutMatmul) {
    }

    private NativeLibrary() {
    }

    private static final class Holder {
        static final Loaded LOADED;
        static final String REASON;

        static {
            Loaded loaded = null;
            String reason;
            try {
                loaded = load();
                reason = null;
            } catch (LoadException e) {
                reason = e.getMessage();
            } catch (RuntimeException | LinkageError e) {
                reason = "loading failed: " + e;
            }
            LOADED = loaded;
            REASON = reason;
        }
    }

    /** Empty when the library is loaded; otherwise one line saying why it is not. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Holder.REASON);
    }

    /** Whether the library is loaded. */
    public static boolean isLoaded() {
        return Holder.LOADED != null;
    }

    /** The loaded library file. @throws IllegalStateException if not loaded */
    public static Path path() {
        return loaded().path();
    }

    /** The compiler that built the library, e.g. {@code gcc 12.2.0}. @throws IllegalStateException if not loaded */
    public static String buildInfo() {
        return loaded().buildInfo();
    }

    /** The CPU features the library found with cpuid. @throws IllegalStateException if not loaded */
    public static CpuFeatures cpuFeatures() {
        return loaded().cpu();
    }

    /** The ISA paths compiled into the library, preferred first. @throws IllegalStateException if not loaded */
    public static List<Isa> compiledIsas() {
        return Isa.fromMask(loaded().compiledMask());
    }

    /** The compiled ISA paths this CPU and OS can run, preferred first. @throws IllegalStateException if not loaded */
    public static List<Isa> usableIsas() {
        return Isa.fromMask(loaded().usableMask());
    }

    /** Whether the LUT kernels ({@code native:lut}) are compiled in and this CPU runs them. False when not loaded. */
    public static boolean lutUsable() {
        return isLoaded() && loaded().lut().usable();
    }

    /** One line for logs: the file, the compiler, the CPU features and the usable paths. */
    public static String describe() {
        if (!isLoaded()) {
            return "native library not loaded: " + Holder.REASON;
        }
        Loaded l = loaded();
        return "native library " + l.path() + " (" + l.buildInfo() + "); CPU: " + l.cpu()
                + "; ISA paths usable: " + Isa.names(usableIsas()) + " (compiled: " + Isa.names(compiledIsas()) + ")"
                + "; LUT kernels " + (l.lut().usable() ? "usable" : "unusable");
    }

    /** An empty downcall, for measuring the fixed cost of one call. @throws IllegalStateException if not loaded */
    public static void noop() {
        try {
            loaded().noop().invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Reads every byte of {@code data} in native code (the native side of the memory-read benchmark).
     *
     * @param data any segment (heap, off-heap or mapped) whose size is a multiple of 64 bytes
     * @return the sum of its bytes as unsigned 64-bit lanes, modulo 2^64 (only to keep the reads live)
     * @throws IllegalArgumentException if the size is not a multiple of 64
     */
    public static long readSum(MemorySegment data) {
        if (data.byteSize() % 64 != 0) {
            throw new IllegalArgumentException("readSum needs a multiple of 64 bytes, got " + data.byteSize());
        }
        try {
            return (long) loaded().readSum().get().invokeExact(data, data.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Zeroed native memory of {@code bytes} bytes, 2 MiB aligned and marked for transparent huge pages where the OS
     * has them ({@code wf_huge_alloc}); freed when {@code arena} is closed (or, for an automatic arena, collected).
     *
     * @throws OutOfMemoryError when the memory cannot be had
     */
    static MemorySegment allocateHuge(long bytes, Arena arena) {
        Loaded l = loaded();
        MemorySegment p;
        try {
            p = (MemorySegment) l.hugeAlloc().get().invokeExact(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (p.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("native library: cannot map " + bytes + " bytes");
        }
        MethodHandle free = l.hugeFree().get();
        return p.reinterpret(bytes, arena, seg -> {
            try {
                free.invokeExact(seg, bytes);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        });
    }

    static Loaded loaded() {
        Loaded l = Holder.LOADED;
        if (l == null) {
            throw new IllegalStateException("native library not loaded: " + Holder.REASON);
        }
        return l;
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static final class LoadException extends Exception {
        private static final long serialVersionUID = 1L;

        LoadException(String message) {
            super(message, null, false, false);
        }
    }

    private static Loaded load() throws LoadException {
        Path file = locate();
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new LoadException("cannot load " + file + ": " + e.getMessage());
        }
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        int abi;
        try {
            abi = (int) handle(linker, lookup, "wf_abi_version", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            if (abi != ABI_VERSION) {
                throw new LoadException(file + " has ABI version " + abi + ", this jar expects " + ABI_VERSION
                        + " (a library left from another build?)");
            }
            long features = (long) handle(linker, lookup, "wf_cpu_features", FunctionDescriptor.of(JAVA_LONG)).invokeExact();
            int compiled = (int) handle(linker, lookup, "wf_compiled_isas", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            int usable = (int) handle(linker, lookup, "wf_usable_isas", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            MemorySegment info = (MemorySegment) handle(linker, lookup, "wf_build_info", FunctionDescriptor.of(ADDRESS)).invokeExact();
            String buildInfo = info.reinterpret(256).getString(0);
            Downcall matmul = lazy(lookup, "wf_matmul", FunctionDescriptor.of(JAVA_INT,
                    JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                    ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT), critical);
            MethodHandle noop = handle(linker, lookup, "wf_noop", FunctionDescriptor.ofVoid(), critical);
            Downcall readSum = lazy(lookup, "wf_read_sum",
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG), critical);
            boolean lutUsable = (int) handle(linker, lookup, "wf_lut_usable", FunctionDescriptor.of(JAVA_INT)).invokeExact() != 0;
            MethodHandle param = handle(linker, lookup, "wf_lut_param", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            Lut lut = new Lut(lutUsable, (int) param.invokeExact(0), (int) param.invokeExact(1), (int) param.invokeExact(2),
                    lazy(lookup, "wf_lut_layout_bytes", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT)),
                    lazy(lookup, "wf_lut_token_table_entries", FunctionDescriptor.of(JAVA_LONG, JAVA_INT)),
                    lazy(lookup, "wf_lut_pack", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG,
                            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), critical),
                    lazy(lookup, "wf_lut_tables", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                            ADDRESS), critical),
                    lazy(lookup, "wf_lut_matmul", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
                            JAVA_INT, JAVA_FLOAT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
                            JAVA_INT), critical),
                    lazy(lookup, "wf_tlut_matmul", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                            JAVA_INT, JAVA_FLOAT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG,
                            JAVA_INT, JAVA_INT), critical));
            int denseIsa = (int) handle(linker, lookup, "wf_dense_isa", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            Downcall denseGemv = lazy(lookup, "wf_dense_gemv", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
                    JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT), critical);
            Downcall hugeAlloc = lazy(lookup, "wf_huge_alloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
            Downcall hugeFree = lazy(lookup, "wf_huge_free", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
            return new Loaded(file, buildInfo, new CpuFeatures(features), compiled, usable, matmul, noop, readSum, lut,
                    denseIsa, denseGemv, hugeAlloc, hugeFree);
        } catch (LoadException e) {
            throw e;
        } catch (Throwable t) {
            throw new LoadException("cannot initialize " + file + ": " + t);
        }
    }

    private static Downcall lazy(SymbolLookup lookup, String name, FunctionDescriptor fd, Linker.Option... options)
            throws LoadException {
        MemorySegment symbol = lookup.find(name).orElseThrow(
                () -> new LoadException("symbol " + name + " missing from the native library (a library of another version?)"));
        return new Downcall(symbol, fd, options);
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd,
                                       Linker.Option... options) throws LoadException {
        MemorySegment symbol = lookup.find(name).orElseThrow(
                () -> new LoadException("symbol " + name + " missing from the native library (a library of another version?)"));
        return linker.downcallHandle(symbol, fd, options);
    }

    /** The library file: the property's path, or the bundled resource extracted to the cache. */
    private static Path locate() throws LoadException {
        String forced = System.getProperty(PATH_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            Path p = Path.of(forced);
            if (!Files.isRegularFile(p)) {
                throw new LoadException("-D" + PATH_PROPERTY + "=" + forced + " is not a file");
            }
            return p.toAbsolutePath();
        }
        String platform = LibraryExtractor.platform().orElseThrow(() -> new LoadException(
                "no native build for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")));
        String resource = LibraryExtractor.resourceName(platform);
        byte[] content;
        try {
            content = LibraryExtractor.readResource(resource).orElseThrow(() -> new LoadException(
                    "this build has no native library for " + platform + " (resource " + resource
                            + " absent: built without a C compiler?)"));
        } catch (IOException e) {
            throw new LoadException("cannot read resource " + resource + ": " + e);
        }
        StringBuilder failures = new StringBuilder();
        for (Path root : LibraryExtractor.cacheRoots()) {
            try {
                return LibraryExtractor.extract(content, root, LibraryExtractor.fileName());
            } catch (IOException | RuntimeException e) {
                failures.append(failures.isEmpty() ? "" : "; ").append(root).append(": ").append(e);
            }
        }
        throw new LoadException("cannot extract the native library to a cache directory (" + failures + ")");
    }
}
