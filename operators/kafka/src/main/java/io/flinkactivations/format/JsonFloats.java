package io.flinkactivations.format;

import com.fasterxml.jackson.core.io.NumberInput;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * float32 to JSON number text and back: the JSON format's hot path (64 numbers each way per record
 * at D = 64), written for it because Jackson's general-purpose paths were 73 % of the JSON job's
 * task thread (a String per number written, trailing zeros removed one division at a time; a char
 * buffer and FastDoubleParser's whitespace scan per number read).
 *
 * <p>{@link #write}: the shortest decimal that reads back to the same float, laid out as {@code
 * Float.toString} of JDK 19+ and Jackson's writer ({@code 1.0}, {@code 0.001}, {@code 1.0E7},
 * {@code 1.0E-4}): Schubfach (R. Giulietti, "The Schubfach way to render doubles", 2020) with
 * float's 64-bit powers of ten, computed exactly at class load.
 *
 * <p>{@link #readArray}: a JSON array of numbers (and the non-finite forms the format allows),
 * correctly rounded: up to 18 digits (a long) times or over a power of ten up to 10^22 is one or
 * two double roundings, and the float rounding of that double is the right one unless it sits
 * within a few double ulps of a float midpoint; those, and every longer or larger number, go to
 * Jackson's parser. Anything that is not a plain array of numbers returns null, and the caller's
 * Jackson path reads it and reports what is wrong: this reader never has to produce an error.
 */
final class JsonFloats {
    /** Longest {@link #write} output, as {@code -1.23456789E-12}. */
    static final int MAX_CHARS = 15;

    private JsonFloats() {}

    // ---- writing -------------------------------------------------------------------------------

    private static final int P = 24; // float's precision in bits
    private static final int Q_MIN = -149; // exponent of the least subnormal
    private static final int Q_MAX = 104; // exponent of the largest float: (2^24 - 1) 2^104
    private static final int C_MIN = 1 << (P - 1);
    private static final int C_TINY = 8; // subnormals below it get one more digit (dk = -1)
    private static final int K_MIN =
            floorLog10(BigInteger.ONE, BigInteger.ONE.shiftLeft(-Q_MIN)); // -45
    private static final int K_MAX =
            floorLog10(BigInteger.ONE.shiftLeft(Q_MAX), BigInteger.ONE); // 31
    private static final int[] FLOG10_POW2 = new int[Q_MAX - Q_MIN + 1]; // floor(log10(2^q))
    private static final int[] FLOG10_THREE_QUARTERS_POW2 =
            new int[Q_MAX - Q_MIN + 1]; // floor(log10(3/4 2^q))
    private static final int[] FLOG2_POW10_MINUS_K =
            new int[K_MAX - K_MIN + 1]; // floor(log2(10^-k))
    private static final long[] G1 =
            new long[K_MAX - K_MIN + 1]; // upper 63 bits of 10^-k, as in the paper
    private static final int[] POW10 = {
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
    };
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        BigInteger two = BigInteger.TWO;
        for (int q = Q_MIN; q <= Q_MAX; q++) {
            BigInteger pow2 = two.pow(Math.abs(q));
            BigInteger num = q >= 0 ? pow2 : BigInteger.ONE;
            BigInteger den = q >= 0 ? BigInteger.ONE : pow2;
            FLOG10_POW2[q - Q_MIN] = floorLog10(num, den);
            FLOG10_THREE_QUARTERS_POW2[q - Q_MIN] =
                    floorLog10(num.multiply(BigInteger.valueOf(3)), den.shiftLeft(2));
        }
        for (int k = K_MIN; k <= K_MAX; k++) {
            // 10^-k = beta 2^r with 2^125 <= beta < 2^126; g = floor(beta) + 1; g1 = its upper 63
            // bits
            BigInteger pow10 = BigInteger.TEN.pow(Math.abs(k));
            BigInteger g;
            if (k <= 0) {
                int shift = 126 - pow10.bitLength();
                g = shift >= 0 ? pow10.shiftLeft(shift) : pow10.shiftRight(-shift);
                FLOG2_POW10_MINUS_K[k - K_MIN] = pow10.bitLength() - 1;
            } else {
                g = BigInteger.ONE.shiftLeft(125 + pow10.bitLength()).divide(pow10);
                FLOG2_POW10_MINUS_K[k - K_MIN] = -pow10.bitLength(); // 10^k is no power of two
            }
            G1[k - K_MIN] = g.add(BigInteger.ONE).shiftRight(63).longValueExact();
        }
    }

    /** floor(log10(num / den)), exactly. */
    private static int floorLog10(BigInteger num, BigInteger den) {
        int k = num.toString().length() - den.toString().length();
        while (compareWithPow10(num, den, k) < 0) {
            k--;
        }
        while (compareWithPow10(num, den, k + 1) >= 0) {
            k++;
        }
        return k;
    }

    /** Sign of num / den - 10^k. */
    private static int compareWithPow10(BigInteger num, BigInteger den, int k) {
        BigInteger p = BigInteger.TEN.pow(Math.abs(k));
        return k >= 0 ? num.compareTo(den.multiply(p)) : num.multiply(p).compareTo(den);
    }

    /**
     * Writes {@code v} at {@code buf[pos]} (room: {@link #MAX_CHARS}); returns the position after
     * it. Non-finite values are the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"},
     * so the output is strict JSON.
     */
    static int write(float v, byte[] buf, int pos) {
        if (!Float.isFinite(v)) {
            byte[] s =
                    Float.isNaN(v) ? QUOTED_NAN : v > 0 ? QUOTED_INFINITY : QUOTED_MINUS_INFINITY;
            System.arraycopy(s, 0, buf, pos, s.length);
            return pos + s.length;
        }
        int bits = Float.floatToRawIntBits(v);
        buf[pos] = '-';
        pos += bits >>> 31; // kept for negative values only; no branch on a sign as random as
        // the data's
        int t = bits & (C_MIN - 1);
        int bq = (bits >>> (P - 1)) & 0xff;
        if (bq != 0) {
            int mq = -Q_MIN + 1 - bq; // v = c 2^-mq
            int c = C_MIN | t;
            if (0 < mq && mq < P) { // whole numbers below 2^24 are their own shortest digits
                int f = c >> mq;
                if (f << mq == c) {
                    return toChars(buf, pos, f, 0);
                }
            }
            return toDecimal(buf, pos, -mq, c, 0);
        }
        if (t != 0) {
            return t < C_TINY
                    ? toDecimal(buf, pos, Q_MIN, 10 * t, -1)
                    : toDecimal(buf, pos, Q_MIN, t, 0);
        }
        buf[pos] = '0';
        buf[pos + 1] = '.';
        buf[pos + 2] = '0';
        return pos + 3;
    }

    /** Schubfach's choice among the decimals in v's rounding interval (section 9 of the paper). */
    private static int toDecimal(byte[] buf, int pos, int q, int c, int dk) {
        int out = c & 1; // an odd c excludes the interval's bounds (round half to even reads back)
        long cb = (long) c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (c != C_MIN || q == Q_MIN) {
            cbl = cb - 2;
            k = FLOG10_POW2[q - Q_MIN];
        } else { // at a power of two the interval below is half as wide
            cbl = cb - 1;
            k = FLOG10_THREE_QUARTERS_POW2[q - Q_MIN];
        }
        int h = q + FLOG2_POW10_MINUS_K[k - K_MIN] + 33;
        long g = G1[k - K_MIN] + 1;
        int vb = roundToOdd(g, cb << h);
        int vbl = roundToOdd(g, cbl << h);
        int vbr = roundToOdd(g, cbr << h);

        int s = vb >> 2;
        if (s >= 100) { // one digit fewer, if a multiple of ten is in the interval
            int sp10 = 10 * (int) (s * 1_717_986_919L >>> 34); // 10 floor(s / 10)
            int tp10 = sp10 + 10;
            boolean upin = vbl + out <= sp10 << 2;
            boolean wpin = (tp10 << 2) + out <= vbr;
            if (upin != wpin) {
                return toChars(buf, pos, upin ? sp10 : tp10, k);
            }
        }
        int t = s + 1;
        boolean uin = vbl + out <= s << 2;
        boolean win = (t << 2) + out <= vbr;
        if (uin != win) {
            return toChars(buf, pos, uin ? s : t, k + dk);
        }
        long cmp = vb - ((long) (s + t) << 1); // both in: the closer one, ties to even
        return toChars(buf, pos, cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : t, k + dk);
    }

    private static int roundToOdd(long g, long cp) {
        long x1 = Math.multiplyHigh(g, cp);
        long vbp = x1 >>> 31;
        return (int) (vbp | (x1 & 0xffff_ffffL) + 0xffff_ffffL >>> 32);
    }

    /** Writes f 10^e, f > 0, as Float.toString lays it out, without trailing zeros. */
    private static int toChars(byte[] buf, int pos, int f, int e) {
        int len = (32 - Integer.numberOfLeadingZeros(f)) * 1233 >>> 12; // digits of f, or one fewer
        if (f >= POW10[len]) {
            len++;
        }
        f *= POW10[9 - len]; // now 9 digits: the value is 0.f 10^e
        e += len;
        int high = f / 100_000_000; // the first digit, never 0
        long digits =
                eightDigits(f - high * 100_000_000); // the other eight, as ASCII in memory order
        // f's trailing zeros are the last of these digits that are '0': the high bytes
        int zeros = Long.numberOfLeadingZeros(digits ^ ASCII_ZEROS) >>> 3;
        long nine = digits << 8 | (high + '0'); // the first eight of the nine
        if (0 < e && e <= 7) { // [1, 10^7): ddd.ddd, the point after e digits
            long point =
                    nine & ((1L << 8 * e) - 1)
                            | (long) '.' << 8 * e
                            | nine << 8 & (-1L << 8 * e << 8);
            LONG_LE.set(buf, pos, point);
            SHORT_LE.set(buf, pos + 8, (short) (digits >>> 48));
            return Math.max(pos + 10 - zeros, pos + e + 2);
        }
        if (-3 < e && e <= 0) { // [10^-3, 1): 0.00ddd
            INT_LE.set(buf, pos, ZERO_POINT_ZEROS);
            pos += 2 - e;
            LONG_LE.set(buf, pos, nine);
            buf[pos + 8] = (byte) (digits >>> 56);
            return pos + 9 - zeros;
        }
        buf[pos] = (byte) (high + '0'); // d.dddEn
        buf[pos + 1] = '.';
        LONG_LE.set(buf, pos + 2, digits);
        pos = Math.max(pos + 10 - zeros, pos + 3);
        buf[pos++] = 'E';
        int exp = e - 1;
        if (exp < 0) {
            buf[pos++] = '-';
            exp = -exp;
        }
        if (exp >= 10) {
            buf[pos] = (byte) ('0' + exp / 10);
            buf[pos + 1] = (byte) ('0' + exp % 10);
            return pos + 2;
        }
        buf[pos] = (byte) ('0' + exp);
        return pos + 1;
    }

    private static final int ZERO_POINT_ZEROS = '0' | '.' << 8 | '0' << 16 | '0' << 24; // "0.00"

    /**
     * The 8 digits of n < 10^8 as ASCII, the first in the lowest byte (little-endian memory order),
     * computed in parallel in the long's lanes (P. Khuong's SWAR itoa): 4 + 4 digits, 2 + 2, 1 + 1.
     */
    private static long eightDigits(int n) {
        long merged = n / 10_000 | (long) (n % 10_000) << 32;
        long hundreds = (merged * 10486 >>> 20) & 0x0000007f0000007fL; // / 100 in each 32-bit lane
        long pairs = (merged - 100 * hundreds) << 16 | hundreds; // 16-bit lanes of 0..99, in order
        long tens = (pairs * 103 >>> 10) & 0x000f000f000f000fL; // / 10 in each 16-bit lane
        return (pairs - 10 * tens) << 8 | tens | ASCII_ZEROS;
    }

    // ---- reading -------------------------------------------------------------------------------

    /** readValue's answer when the bytes are not a value it reads. */
    private static final int NOT_READ = -1;

    /** Longer numbers go to Jackson, which also enforces its length limit on them. */
    private static final int MAX_FAST_NUMBER_CHARS = 64;

    private static final double[] POW10_DOUBLE = new double[23]; // exact in a double up to 10^22
    private static final long FLOAT_MIDPOINT =
            1L << 28; // the 29 bits a double has below float's 24
    private static final int MIDPOINT_MARGIN = 4; // double ulps: two roundings are off by < 2.1

    static {
        double p = 1;
        for (int i = 0; i < POW10_DOUBLE.length; i++, p *= 10) {
            POW10_DOUBLE[i] = p;
        }
    }

    /**
     * Reads the JSON array that starts at {@code bytes[start] == '['}: numbers, bare {@code NaN},
     * {@code Infinity}, {@code -Infinity}, and the strings {@code "NaN"}, {@code "Infinity"},
     * {@code "+Infinity"}, {@code "-Infinity"}, with JSON whitespace. Returns its values and puts
     * the index after its {@code ]} in {@code end[0]}; returns null for anything else (an empty
     * array, another value inside, malformed text), which the caller reads with Jackson.
     */
    static float[] readArray(byte[] bytes, int start, int limit, int[] end) {
        int p = skipWhitespace(bytes, start + 1, limit);
        float[] values = new float[16];
        int n = 0;
        while (true) {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            int read = readValue(bytes, p, limit, values, n++);
            if (read == NOT_READ) {
                return null;
            }
            p = skipWhitespace(bytes, read, limit);
            if (p >= limit) {
                return null;
            }
            if (bytes[p] == ']') {
                end[0] = p + 1;
                return n == values.length ? values : Arrays.copyOf(values, n);
            }
            if (bytes[p] != ',') {
                return null;
            }
            p = skipWhitespace(bytes, p + 1, limit);
        }
    }

    static int skipWhitespace(byte[] bytes, int p, int limit) {
        while (p < limit) {
            byte b = bytes[p];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                break;
            }
            p++;
        }
        return p;
    }

    /**
     * Reads one value at p into {@code values[i]}; returns the index after it, or NOT_READ. The
     * index does not wait for the value: where the next number starts depends on this one's digits,
     * not on the division that turns them into a float.
     */
    private static int readValue(byte[] bytes, int p, int limit, float[] values, int i) {
        if (p >= limit) {
            return NOT_READ;
        }
        byte b = bytes[p];
        int first = p + (b == '-' ? 1 : 0); // no branch on the sign: it is as random as the data
        if (first < limit && isDigit(bytes[first])) {
            return readNumber(bytes, p, first, limit, values, i);
        }
        if (b == '"') {
            for (int k = 0; k < NON_FINITE.length; k++) {
                if (startsWith(bytes, p, limit, QUOTED_NON_FINITE[k])) {
                    values[i] = NON_FINITE_VALUES[k];
                    return p + QUOTED_NON_FINITE[k].length;
                }
            }
            return NOT_READ;
        }
        for (int k = 0; k < NON_FINITE.length; k++) { // bare +Infinity is left to Jackson
            if (k != PLUS_INFINITY && startsWith(bytes, p, limit, BARE_NON_FINITE[k])) {
                values[i] = NON_FINITE_VALUES[k];
                return p + BARE_NON_FINITE[k].length;
            }
        }
        return NOT_READ;
    }

    /**
     * The format's spellings of non-finite values (read bare or as strings, written as strings).
     */
    private static final String[] NON_FINITE = {"NaN", "Infinity", "+Infinity", "-Infinity"};

    private static final float[] NON_FINITE_VALUES = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
    };
    private static final int PLUS_INFINITY = 2;
    private static final byte[][] BARE_NON_FINITE = new byte[NON_FINITE.length][];
    private static final byte[][] QUOTED_NON_FINITE = new byte[NON_FINITE.length][];

    static {
        for (int i = 0; i < NON_FINITE.length; i++) {
            BARE_NON_FINITE[i] = NON_FINITE[i].getBytes(StandardCharsets.US_ASCII);
            QUOTED_NON_FINITE[i] = ('"' + NON_FINITE[i] + '"').getBytes(StandardCharsets.US_ASCII);
        }
    }

    private static final byte[] QUOTED_NAN = QUOTED_NON_FINITE[0];
    private static final byte[] QUOTED_INFINITY = QUOTED_NON_FINITE[1];
    private static final byte[] QUOTED_MINUS_INFINITY = QUOTED_NON_FINITE[3];

    /** The value a JSON string spells, if it is one of the non-finite spellings; else null. */
    static Float nonFinite(String s) {
        for (int i = 0; i < NON_FINITE.length; i++) {
            if (NON_FINITE[i].equals(s)) {
                return NON_FINITE_VALUES[i];
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int p, int limit, byte[] word) {
        return limit - p >= word.length
                && Arrays.equals(bytes, p, p + word.length, word, 0, word.length);
    }

    /**
     * A number by JSON's grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, whose first digit
     * is at {@code integer}, into {@code values[i]}; returns the index after it, or NOT_READ.
     */
    private static int readNumber(
            byte[] bytes, int start, int integer, int limit, float[] values, int i) {
        long mantissa = 0;
        int p = integer;
        int exp10 = 0;
        int n;
        do { // usually one digit
            long w = eightBytesAt(bytes, p, limit);
            n = leadingDigits(w);
            mantissa = mantissa * POW10[n] + digitsValue(w, n);
            p += n;
        } while (n == 8);
        boolean overflow =
                p - integer
                        > 18; // more than 18 digits may not fit a long: Jackson's parser takes them
        if (bytes[integer] == '0' && p - integer > 1) {
            return NOT_READ; // a leading zero
        }
        if (p < limit && bytes[p] == '.') {
            int fraction = ++p;
            do {
                long w = eightBytesAt(bytes, p, limit);
                n = leadingDigits(w);
                mantissa = mantissa * POW10[n] + digitsValue(w, n);
                p += n;
            } while (n == 8);
            exp10 = fraction - p;
            overflow |= p - integer > 19; // digits on both sides of the point
            if (p == fraction) {
                return NOT_READ;
            }
        }
        if (p < limit && (bytes[p] == 'e' || bytes[p] == 'E')) {
            p++;
            boolean negativeExp = false;
            if (p < limit && (bytes[p] == '+' || bytes[p] == '-')) {
                negativeExp = bytes[p] == '-';
                p++;
            }
            int exponent = p;
            int e = 0;
            while (p < limit && isDigit(bytes[p])) {
                e = Math.min(e * 10 + (bytes[p] - '0'), 100_000);
                p++;
            }
            if (p == exponent) {
                return NOT_READ;
            }
            exp10 += negativeExp ? -e : e;
        }
        if (p - start > MAX_FAST_NUMBER_CHARS) {
            return NOT_READ;
        }
        float v;
        if (!overflow && exp10 >= -22 && exp10 <= 22) {
            // powers of ten up to 10^22 are exact doubles: d is one rounding off, or two where
            // (double) mantissa rounds (above 2^53), so under 2.1 ulps
            double d = exp10 < 0 ? mantissa / POW10_DOUBLE[-exp10] : mantissa * POW10_DOUBLE[exp10];
            long below = Double.doubleToRawLongBits(d) & (2 * FLOAT_MIDPOINT - 1);
            v =
                    Math.abs(below - FLOAT_MIDPOINT) > MIDPOINT_MARGIN
                            ? (float) d
                            : slowParse(bytes, start, p);
        } else {
            v = slowParse(bytes, start, p);
        }
        values[i] = integer > start ? -v : v;
        return p;
    }

    /**
     * The eight bytes at p, the first in the lowest byte; where fewer than eight are left before
     * the limit, the rest are zero bytes, which are no digits.
     */
    private static long eightBytesAt(byte[] bytes, int p, int limit) {
        if (p + Long.BYTES <= limit) {
            return (long) LONG_LE.get(bytes, p);
        }
        long w = 0;
        for (int i = 0; i < limit - p; i++) {
            w |= (bytes[p + i] & 0xffL) << 8 * i;
        }
        return w;
    }

    /**
     * How many of w's bytes, from the lowest, are ASCII digits (8 when all are): a digit's byte b
     * has neither b + 0x46 (b > '9') nor b - 0x30 (b < '0') above 0x7f; carries and borrows only
     * reach the bytes after the first that is not a digit.
     */
    private static int leadingDigits(long w) {
        long notDigits = ((w + 0x4646_4646_4646_4646L) | (w - ASCII_ZEROS)) & HIGH_BITS;
        return Long.numberOfTrailingZeros(notDigits) >>> 3;
    }

    /** The value of w's lowest n <= 8 bytes, ASCII digits (0 for none). */
    private static long digitsValue(long w, int n) {
        if (n == 0) {
            return 0;
        }
        w <<= 8 * (8 - n); // the digits up top, zeros below
        // eight digits, the first in the lowest byte, to their value: pairs, fours, eights
        w = (w & 0x0f0f_0f0f_0f0f_0f0fL) * 2561 >>> 8;
        w = (w & 0x00ff_00ff_00ff_00ffL) * 6553601 >>> 16;
        return (w & 0x0000_ffff_0000_ffffL) * 42949672960001L >>> 32;
    }

    private static final long ASCII_ZEROS = 0x3030_3030_3030_3030L;
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    /**
     * Jackson's parser (FastDoubleParser), correctly rounded, for what the fast path does not take.
     */
    private static float slowParse(byte[] bytes, int start, int end) {
        int from = bytes[start] == '-' ? start + 1 : start;
        return NumberInput.parseFloat(
                new String(bytes, from, end - from, StandardCharsets.ISO_8859_1), true);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
