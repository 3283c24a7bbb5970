package dev.wrinklefree.cost.jmh;

import dev.wrinklefree.cost.Fixtures;
import dev.wrinklefree.cost.io.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhReaderTest {
    @TempDir
    Path tmp;

    @Test
    void throughputWithParams() {
        List<JmhResult> rs = JmhReader.readFile(Fixtures.jmh("thrpt-params.json"));
        assertEquals(4, rs.size());
        JmhResult r = rs.getFirst();
        assertEquals("fix.ParamBench.sum", r.id().benchmark());
        assertEquals("thrpt", r.id().mode());
        assertEquals(Map.of("size", "64", "variant", "plain"), r.id().params());
        assertEquals("ParamBench.sum", r.id().shortName());
        assertEquals(Direction.HIGHER_IS_BETTER, r.primary().unit().direction());
        assertEquals(2, r.primary().iterationValues().length);
        assertTrue(Double.isNaN(r.primary().scoreError()), "JMH writes \"NaN\" for the error of 2 iterations");
        // JMH's score is the mean of the iterations.
        assertEquals(r.primary().score(), r.primary().iterationSummary().mean(), r.primary().score() * 1e-12);
        assertEquals("1.37", r.jmhVersion());
        // Two parameterizations are two benchmarks.
        assertNotEquals(rs.get(0).id(), rs.get(1).id());
    }

    @Test
    void everyModeAndItsDirection() {
        JmhResultSet all = JmhReader.read(Fixtures.jmh("all-modes.json"));
        assertEquals(4, all.size(), "-bm all gives four results of one method: mode is part of the identity");
        Map<String, Direction> byMode = new java.util.HashMap<>();
        for (JmhResult r : all.results()) {
            byMode.put(r.id().mode(), r.primary().unit().direction());
        }
        assertEquals(Map.of("thrpt", Direction.HIGHER_IS_BETTER, "avgt", Direction.LOWER_IS_BETTER,
                "sample", Direction.LOWER_IS_BETTER, "ss", Direction.LOWER_IS_BETTER), byMode);
        for (String f : List.of("avgt-params.json", "avgt-noparams.json", "ss-params.json", "ss-single-iteration.json",
                "thrpt-ms-noparams.json", "sample-params.json", "thrpt-2forks.json")) {
            for (JmhResult r : JmhReader.readFile(Fixtures.jmh(f))) {
                assertTrue(r.primary().iterationValues().length >= 1, f);
                assertNotEquals(Direction.UNKNOWN, r.primary().unit().direction(), f);
            }
        }
    }

    @Test
    void noParams() {
        JmhResult r = JmhReader.readFile(Fixtures.jmh("avgt-noparams.json")).getFirst();
        assertTrue(r.id().params().isEmpty());
        assertEquals("fix.PlainBench.sqrt[avgt]", r.id().toString());
        assertEquals("ns/op", r.primary().unit().text());
        assertEquals(1e-9, r.primary().unit().secondsPerTimeUnit(), 0);
    }

    @Test
    void unitsConvert() {
        JmhResult ms = JmhReader.readFile(Fixtures.jmh("thrpt-ms-noparams.json")).getFirst();
        assertEquals("ops/ms", ms.primary().unit().text());
        assertEquals(ms.primary().score() * 1000, ms.primary().unit().toOpsPerSecond(ms.primary().score()), 1e-6);
        assertEquals(1e6, ScoreUnit.parse("us/op").toOpsPerSecond(1.0), 1e-6);
        assertEquals(Direction.UNKNOWN, ScoreUnit.parse("MB/sec").direction());
    }

    @Test
    void forksPooled() {
        JmhResult r = JmhReader.readFile(Fixtures.jmh("thrpt-2forks.json")).getFirst();
        assertEquals(2, r.forks());
        assertEquals(2, r.primary().rawData().size());
        assertEquals(6, r.primary().iterationValues().length);
    }

    @Test
    void singleShot() {
        JmhResult r = JmhReader.readFile(Fixtures.jmh("ss-single-iteration.json")).getFirst();
        assertEquals("ss", r.id().mode());
        assertEquals(1, r.primary().iterationValues().length);
        assertEquals(r.primary().score(), r.primary().iterationValues()[0], 0);
        assertTrue(Double.isNaN(r.primary().scoreError()));
    }

    @Test
    void sampleModeHistogram() {
        JmhResult r = JmhReader.readFile(Fixtures.jmh("sample-params.json")).getFirst();
        assertEquals("sample", r.id().mode());
        assertTrue(r.primary().rawData().isEmpty(), "sample mode writes rawDataHistogram, not rawData");
        assertTrue(r.primary().hasHistogram());
        double[] it = r.primary().iterationValues();
        assertEquals(2, it.length);
        // JMH's score in sample mode is the mean of all samples: the count-weighted mean of iteration means.
        long total = 0;
        double sum = 0;
        for (var fork : r.primary().rawDataHistogram()) {
            for (double[][] iter : fork) {
                for (double[] vc : iter) {
                    total += (long) vc[1];
                    sum += vc[0] * vc[1];
                }
            }
        }
        assertEquals(r.primary().score(), sum / total, r.primary().score() * 1e-9);
        // HdrHistogram's median of the samples agrees with JMH's own p50 within the histogram's precision.
        var h = r.primary().sampleHistogram();
        assertEquals(total, h.getTotalCount());
        double jmhP50 = r.primary().percentiles().get(50.0);
        assertEquals(jmhP50, h.getValueAtPercentile(50), jmhP50 * 0.01);
        assertTrue(r.secondary().containsKey("p0.50"));
    }

    @Test
    void oldAndNewSecondaryNamesAgree() {
        JmhResult old = JmhReader.readFile(Fixtures.jmh("jmh136-thrpt-gc.json")).getFirst();
        JmhResult cur = JmhReader.readFile(Fixtures.jmh("thrpt-gc.json")).getFirst();
        assertEquals("1.36", old.jmhVersion());
        assertEquals(cur.secondary().keySet(), old.secondary().keySet());
        assertTrue(cur.secondary().containsKey("gc.alloc.rate.norm"));
        assertEquals("B/op", old.secondary().get("gc.alloc.rate.norm").unit().text());
        // new int[64] is 272 bytes with its header, in both versions.
        assertEquals(272, old.secondary().get("gc.alloc.rate.norm").score(), 1);
        JmhResult oldSample = JmhReader.readFile(Fixtures.jmh("jmh136-sample-gc.json")).getFirst();
        assertTrue(oldSample.secondary().containsKey("p0.50"), "'sqrt\u00b7p0.50' normalized: " + oldSample.secondary().keySet());
        assertTrue(oldSample.secondary().containsKey("gc.alloc.rate"));
        assertEquals("gc.alloc.rate", JmhReader.normalizeSecondaryName("\u00b7gc.alloc.rate", "sum"));
        assertEquals("p0.99", JmhReader.normalizeSecondaryName("sum\u00b7p0.99", "sum"));
    }

    @Test
    void nonFiniteStrings() throws IOException {
        Path f = tmp.resolve("inf.json");
        Files.writeString(f, """
                [{"benchmark":"a.B.m","mode":"thrpt","threads":1,"forks":1,
                  "primaryMetric":{"score":"Infinity","scoreError":"NaN","scoreConfidence":["-Infinity","Infinity"],
                  "scoreUnit":"ops/s","rawData":[["Infinity", 5.0]]},"secondaryMetrics":{}}]
                """);
        JmhResult r = JmhReader.readFile(f).getFirst();
        assertEquals(Double.POSITIVE_INFINITY, r.primary().score());
        assertEquals(Double.POSITIVE_INFINITY, r.primary().iterationValues()[0]);
    }

    @Test
    void badInputsNameFileAndField() throws IOException {
        String good = Files.readString(Fixtures.jmh("thrpt-params.json"));
        Path truncated = tmp.resolve("truncated.json");
        Files.writeString(truncated, good.substring(0, good.length() / 2));
        var e1 = assertThrows(InputException.class, () -> JmhReader.read(truncated));
        assertTrue(e1.getMessage().contains("truncated.json") && e1.getMessage().contains("not valid JSON"), e1.getMessage());

        Path notJmh = tmp.resolve("other.json");
        Files.writeString(notJmh, "{\"name\": \"not jmh\"}");
        var e2 = assertThrows(InputException.class, () -> JmhReader.read(notJmh));
        assertTrue(e2.getMessage().contains("other.json") && e2.getMessage().contains("not JMH JSON"), e2.getMessage());

        Path empty = tmp.resolve("empty.json");
        Files.writeString(empty, "[]");
        var e3 = assertThrows(InputException.class, () -> JmhReader.read(empty));
        assertTrue(e3.getMessage().contains("no benchmark results"), e3.getMessage());

        Path zero = tmp.resolve("zero.json");
        Files.writeString(zero, "");
        assertTrue(assertThrows(InputException.class, () -> JmhReader.read(zero)).getMessage().contains("empty file"));

        Path noPrimary = tmp.resolve("noprimary.json");
        Files.writeString(noPrimary, good.replaceFirst("\"primaryMetric\"", "\"primaryMetricX\""));
        var e4 = assertThrows(InputException.class, () -> JmhReader.read(noPrimary));
        assertTrue(e4.getMessage().contains("noprimary.json: [0] (fix.ParamBench.sum): missing field 'primaryMetric'"), e4.getMessage());

        Path noRaw = tmp.resolve("noraw.json");
        Files.writeString(noRaw, good.replace("\"rawData\"", "\"rawDataX\""));
        var e5 = assertThrows(InputException.class, () -> JmhReader.read(noRaw));
        assertTrue(e5.getMessage().contains("rawData"), e5.getMessage());

        Path badNumber = tmp.resolve("badnum.json");
        Files.writeString(badNumber, good.replaceFirst("\"score\" : [0-9.E]+", "\"score\" : \"fast\""));
        var e6 = assertThrows(InputException.class, () -> JmhReader.read(badNumber));
        assertTrue(e6.getMessage().contains("primaryMetric.score: expected a number, got \"fast\""), e6.getMessage());

        Path badMode = tmp.resolve("badmode.json");
        Files.writeString(badMode, good.replaceFirst("\"thrpt\"", "\"fastest\""));
        assertTrue(assertThrows(InputException.class, () -> JmhReader.read(badMode)).getMessage().contains("expected one of thrpt, avgt, sample, ss"));

        var missing = assertThrows(InputException.class, () -> JmhReader.read(tmp.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("no such file"));
        assertThrows(InputException.class, () -> JmhReader.read(List.of()));
    }

    @Test
    void duplicateIdentityAcrossFilesIsAnError() {
        var e = assertThrows(InputException.class, () -> JmhReader.read(List.of(Fixtures.jmh("thrpt-params.json"), Fixtures.jmh("thrpt-params.json"))));
        assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
        JmhResultSet two = JmhReader.read(List.of(Fixtures.jmh("thrpt-params.json"), Fixtures.jmh("avgt-params.json")));
        assertEquals(6, two.size());
        assertFalse(two.matching(n -> n.endsWith(".sum")).isEmpty());
    }
}
