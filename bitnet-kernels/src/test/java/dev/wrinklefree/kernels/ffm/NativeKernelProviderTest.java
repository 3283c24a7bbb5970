package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.KernelProvider;
import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.TernaryKernel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.wrinklefree.kernels.ffm.NativeTests.requireLibrary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeKernelProviderTest {

    /** Kernels lists the native provider first; without a library it says why in one line and refuses it. */
    @Test
    void kernelsKnowsTheNativeBackend() {
        KernelProvider p = Kernels.providers().getFirst();
        assertEquals(NativeKernelProvider.class, p.getClass());
        assertEquals("native", p.name());
        NativeLibrary.unavailableReason().ifPresent(why -> {
            assertEquals(why, p.unavailableReason().orElseThrow());
            assertTrue(!why.contains("\n"), "one line: " + why);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kernels.byName("native"));
            assertTrue(e.getMessage().contains(why), e.getMessage());
        });
    }

    @Test
    void variantsAreTheUsablePathsPreferredFirst() {
        requireLibrary();
        NativeKernelProvider p = new NativeKernelProvider();
        List<String> variants = p.variants();
        List<String> isas = NativeLibrary.usableIsas().stream().map(Isa::variantName).toList();
        // the LUT kernels first where this CPU runs them, then every ISA path in order of preference
        assertEquals(NativeLibrary.lutUsable(), variants.getFirst().equals(NativeKernelProvider.LUT), variants.toString());
        assertEquals(isas, variants.subList(NativeLibrary.lutUsable() ? 1 : 0, variants.size()));
        assertEquals("scalar", variants.getLast());
        List<Isa> order = Arrays.asList(Isa.values());
        for (int i = 1; i < isas.size(); i++) {
            assertTrue(order.indexOf(Isa.parse(isas.get(i - 1))) < order.indexOf(Isa.parse(isas.get(i))), variants.toString());
        }
        for (String v : variants) {
            TernaryKernel k = Kernels.byName("native:" + v);
            assertEquals("native:" + v, k.name());
        }
    }

    @Test
    void preferredIsTheBestUsablePath() {
        requireLibrary();
        assumeTrue(System.getProperty(NativeKernelProvider.ISA_PROPERTY) == null, "ISA forced by property");
        NativeKernelProvider p = new NativeKernelProvider();
        assumeTrue(p.unavailableReason().isEmpty(), "no SIMD path on this CPU");
        assertEquals("native:" + p.variants().getFirst(), p.create().name());
        if (System.getProperty(Kernels.PROPERTY) == null) {
            assertEquals(p.create().name(), Kernels.preferred().name(), Kernels.selectionNote());
        }
    }

    @Test
    void unknownVariantNamesTheKnownOnes() {
        requireLibrary();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NativeKernelProvider().create("sse9"));
        assertTrue(e.getMessage().contains("avx512vnni") && e.getMessage().contains("avx2") && e.getMessage().contains("lut"),
                e.getMessage());
    }

    @Test
    void aPathTheCpuLacksIsAClearError() {
        requireLibrary();
        List<Isa> missing = Arrays.stream(Isa.values()).filter(i -> !NativeLibrary.usableIsas().contains(i)).toList();
        assumeTrue(!missing.isEmpty(), "this CPU runs every path");
        for (Isa isa : missing) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new NativeKernelProvider().create(isa.variantName()));
            assertTrue(e.getMessage().contains(isa.variantName()) && e.getMessage().contains("usable:")
                    || e.getMessage().contains("not compiled"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> Kernels.byName("native:" + isa.variantName()));
        }
    }

    /** Where the CPU lacks AVX-512 BW, asking for the LUT kernels is a clear error, forced or named. */
    @Test
    void lutWhereTheCpuLacksItIsAClearError() {
        requireLibrary();
        assumeTrue(!NativeLibrary.lutUsable(), "this CPU runs the LUT kernels");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new NativeKernelProvider().create("lut"));
        assertTrue(e.getMessage().contains("AVX-512 BW"), e.getMessage());
    }

    @Test
    void isaPropertyForcesThePathOfNative() {
        requireLibrary();
        String old = System.getProperty(NativeKernelProvider.ISA_PROPERTY);
        try {
            for (String v : new NativeKernelProvider().variants()) {
                System.setProperty(NativeKernelProvider.ISA_PROPERTY, v);
                NativeKernelProvider p = new NativeKernelProvider();
                assertTrue(p.unavailableReason().isEmpty(), () -> p.unavailableReason().orElseThrow());
                assertEquals("native:" + v, p.create().name());
                assertEquals("native:" + v, Kernels.byName("native").name());
            }
            System.setProperty(NativeKernelProvider.ISA_PROPERTY, "nonsense");
            NativeKernelProvider p = new NativeKernelProvider();
            assertTrue(p.unavailableReason().orElseThrow().contains("nonsense"));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kernels.byName("native"));
            assertTrue(e.getMessage().contains(NativeKernelProvider.ISA_PROPERTY), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(NativeKernelProvider.ISA_PROPERTY);
            } else {
                System.setProperty(NativeKernelProvider.ISA_PROPERTY, old);
            }
        }
    }
}
