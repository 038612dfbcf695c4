// The .dat writer of lemsc_javafloat.py in C++: the same text as its format_rows (jLEMS's
// files), about a hundred times faster. The Python module compiles this file into a shared
// library once per content (see use_native_writer there) and calls lemsc_write_rows through
// ctypes; without a C++17 compiler it writes with Python instead.
//
// Every value is cast to a 32-bit float and printed as Java's Float.toString prints it: the
// shortest decimal that reads back as the same float (std::to_chars finds those digits), laid
// out plainly for 1e-3 <= |x| < 1e7 and as "d.dddE-n" otherwise; "NaN", "Infinity",
// "-Infinity", "0.0", "-0.0". A subnormal float whose shortest decimal has one digit is
// printed with the closest two-digit decimal when that also reads back as the float
// ("1.4E-45", not "1.0E-45"). Each value is followed by a TAB, each row by "\n".

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <new>
#include <system_error>

#include <unistd.h>

namespace {

// A decimal d1.d2d3...dn * 10^exponent, digits without trailing zeros (at least one).
struct Decimal {
    bool negative;
    char digits[16];
    int count;
    int exponent;
};

// Reads to_chars's scientific text ("-1.2345e-07", "1e+07") as a Decimal.
Decimal parse_scientific(const char* text, const char* end) {
    Decimal d{};
    const char* p = text;
    if (*p == '-') {
        d.negative = true;
        ++p;
    }
    for (; p < end && *p != 'e'; ++p) {
        if (*p != '.') d.digits[d.count++] = *p;
    }
    while (d.count > 1 && d.digits[d.count - 1] == '0') --d.count;
    ++p;  // 'e'
    bool negative_exponent = *p == '-';
    ++p;  // the exponent's sign, always written
    int exponent = 0;
    for (; p < end; ++p) exponent = exponent * 10 + (*p - '0');
    d.exponent = negative_exponent ? -exponent : exponent;
    return d;
}

char* put(char* out, const char* text) {
    std::size_t n = std::strlen(text);
    std::memcpy(out, text, n);
    return out + n;
}

// Java's layout of a Decimal.
char* layout(char* out, const Decimal& d) {
    if (d.negative) *out++ = '-';
    if (d.exponent >= 0 && d.exponent < 7) {
        int whole = d.exponent + 1;
        for (int i = 0; i < whole; ++i) *out++ = i < d.count ? d.digits[i] : '0';
        *out++ = '.';
        if (d.count > whole) {
            for (int i = whole; i < d.count; ++i) *out++ = d.digits[i];
        } else {
            *out++ = '0';
        }
        return out;
    }
    if (d.exponent >= -3 && d.exponent < 0) {
        *out++ = '0';
        *out++ = '.';
        for (int i = 0; i < -d.exponent - 1; ++i) *out++ = '0';
        for (int i = 0; i < d.count; ++i) *out++ = d.digits[i];
        return out;
    }
    *out++ = d.digits[0];
    *out++ = '.';
    if (d.count > 1) {
        for (int i = 1; i < d.count; ++i) *out++ = d.digits[i];
    } else {
        *out++ = '0';
    }
    *out++ = 'E';
    return std::to_chars(out, out + 8, d.exponent).ptr;
}

// Writes Java's Float.toString(x) at `out` (room for 32 characters); returns its end.
char* java_float(char* out, float x) {
    if (std::isnan(x)) return put(out, "NaN");
    if (std::isinf(x)) return put(out, x < 0 ? "-Infinity" : "Infinity");
    if (x == 0) return put(out, std::signbit(x) ? "-0.0" : "0.0");
    char text[32];
    const char* end = std::to_chars(text, text + sizeof text, x, std::chars_format::scientific).ptr;
    Decimal d = parse_scientific(text, end);
    if (d.count == 1 && std::fabs(x) < std::numeric_limits<float>::min()) {
        // Subnormal: Java prefers the closest two-digit decimal when it reads back as x.
        char closer[32];
        const char* closer_end =
            std::to_chars(closer, closer + sizeof closer, x, std::chars_format::scientific, 1).ptr;
        float back = 0;
        std::from_chars_result read = std::from_chars(closer, closer_end, back);
        if (read.ec == std::errc() && back == x) d = parse_scientific(closer, closer_end);
    }
    return layout(out, d);
}

// Writes all of [data, data + size) to fd; 0, or the errno of the failed write.
int write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return 0;
}

}  // namespace

extern "C" {

// Writes `rows` rows of `columns` values (row-major float64) to the open file descriptor
// `fd` as .dat lines; 0, or the errno of a failed write.
int lemsc_write_rows(int fd, const double* values, std::size_t rows, std::size_t columns) {
    static const std::size_t kBuffer = 1 << 20;
    static const std::size_t kLongestValue = 32;
    char* buffer = new (std::nothrow) char[kBuffer];
    if (buffer == nullptr) return ENOMEM;
    std::size_t used = 0;
    int error = 0;
    // Writes the buffer out when it may lack room for one more value and its TAB or "\n".
    auto keep_room = [&]() {
        if (kBuffer - used < kLongestValue + 2) {
            error = write_all(fd, buffer, used);
            used = 0;
        }
        return error == 0;
    };
    for (std::size_t r = 0; r < rows && keep_room(); ++r) {
        for (std::size_t c = 0; c < columns && keep_room(); ++c) {
            char* end = java_float(buffer + used, static_cast<float>(values[r * columns + c]));
            *end++ = '\t';
            used = static_cast<std::size_t>(end - buffer);
        }
        if (error != 0) break;
        buffer[used++] = '\n';
    }
    if (error == 0) error = write_all(fd, buffer, used);
    delete[] buffer;
    return error;
}

}  // extern "C"
