/*
 * blindjoin's x25519 hash to group, batched, for WebAssembly (wasm32, no libc).
 *
 * For each 64-byte uniform string r0 || r1 (expand_message_xmd output) it computes
 * the Montgomery u of F(r0) + F(r1), where F is libsodium's
 * crypto_core_ed25519_from_uniform (Elligator 2 with non-square 2, the Edwards x of
 * the sign in bit 255, times the cofactor 8), exactly the bytes of the other
 * backends (docs/x25519.md). What differs is the arithmetic:
 *
 * - one exponentiation per map decides the square test and yields the square root
 *   (p = 5 mod 8), where libsodium spends a Legendre symbol, an inversion, a
 *   decompression and an encoding per map, and two decompressions and an encoding
 *   per addition;
 * - points stay projective; the two divisions left (the Edwards x whose sign is
 *   fixed, and the final u = (Z + Y) / (Z - Y)) are done for the whole batch with
 *   one inversion each (Montgomery's trick).
 *
 * Field elements mod p = 2^255 - 19 are ten signed limbs, radix 2^25.5 (limb k
 * holds bits off(k) .. off(k+1), 26 bits for even k, 25 for odd). All code paths
 * run the same operations whatever the data (selections are masks): the inputs
 * are hashes of identifiers.
 *
 * Build: wasm/x25519-hash/build.sh (clang --target=wasm32); the output is
 * committed, nothing here is compiled at install time.
 */
#include <stdint.h>

typedef int32_t i32;
typedef int64_t i64;
typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef i32 fe[10];

/* Items per call; the JavaScript side never passes more. */
#define BATCH 256

/* clang may emit calls to these for struct copies; there is no libc to provide them. */
void *memcpy(void *dst, const void *src, unsigned long n) {
  u8 *d = dst;
  const u8 *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
void *memset(void *dst, int c, unsigned long n) {
  u8 *d = dst;
  while (n--) *d++ = (u8)c;
  return dst;
}

/* ---------- field arithmetic mod p = 2^255 - 19 ---------- */

#define WIDTH(k) (((k) & 1) ? 25 : 26)

static const u8 ONE_BYTES[32] = {1};
/* sqrt(-1) = 2^((p-1)/4) mod p */
static const u8 SQRT_M1_BYTES[32] = {0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
                                     0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b};
/* a square root of -486664 = -(A + 2), the scale of RFC 7748 §4.1's map x = sqrt(-486664) u / v */
static const u8 C_BYTES[32] = {0xe7, 0x81, 0xba, 0x00, 0x55, 0xfb, 0x91, 0x33, 0x7d, 0xe5, 0x82, 0xb4, 0x2e, 0x2c, 0x5e, 0x3a,
                               0x81, 0xb0, 0x03, 0xfc, 0x23, 0xf7, 0x84, 0x2d, 0x44, 0xf9, 0x5f, 0x9f, 0x0b, 0x12, 0xd9, 0x70};
/* 2d, d = -121665/121666 the edwards25519 constant (RFC 8032 §5.1) */
static const u8 D2_BYTES[32] = {0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82, 0x9a, 0x14, 0xe0, 0x00,
                                0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19, 0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24};
/* The Montgomery coefficient A of Curve25519 (RFC 7748 §4.1). */
#define CURVE_A 486662

/* Signed carry with rounding: every limb ends in [-2^(w-1), 2^(w-1)] (limb 0 a little more). */
static void carry(fe h, i64 t[10]) {
#pragma clang loop unroll(full)
  for (int k = 0; k < 10; k++) {
    int w = WIDTH(k);
    i64 c = (t[k] + ((i64)1 << (w - 1))) >> w;
    t[k] -= c * ((i64)1 << w);
    if (k < 9)
      t[k + 1] += c;
    else
      t[0] += 19 * c; /* 2^255 = 19 mod p */
  }
  i64 c = (t[0] + ((i64)1 << 25)) >> 26;
  t[0] -= c * ((i64)1 << 26);
  t[1] += c;
#pragma clang loop unroll(full)
  for (int k = 0; k < 10; k++) h[k] = (i32)t[k];
}

static void fe_copy(fe h, const fe f) {
  for (int k = 0; k < 10; k++) h[k] = f[k];
}

static void fe_small(fe h, i32 v) {
  h[0] = v;
  for (int k = 1; k < 10; k++) h[k] = 0;
}

static void fe_add(fe h, const fe f, const fe g) {
  i64 t[10];
  for (int k = 0; k < 10; k++) t[k] = (i64)f[k] + g[k];
  carry(h, t);
}

static void fe_sub(fe h, const fe f, const fe g) {
  i64 t[10];
  for (int k = 0; k < 10; k++) t[k] = (i64)f[k] - g[k];
  carry(h, t);
}

static void fe_neg(fe h, const fe f) {
  for (int k = 0; k < 10; k++) h[k] = -f[k];
}

/*
 * Limb i times limb j lands at bit off(i) + off(j): that is off(i + j) plus one
 * when both are odd (25.5-bit radix), and wraps past 2^255 as a factor 19 when
 * i + j >= 10.
 */
static void fe_mul(fe h, const fe f, const fe g) {
  i64 f2[10], g19[10], t[10];
#pragma clang loop unroll(full)
  for (int k = 0; k < 10; k++) {
    f2[k] = (k & 1) ? 2 * (i64)f[k] : (i64)f[k];
    g19[k] = 19 * (i64)g[k];
    t[k] = 0;
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < 10; i++) {
#pragma clang loop unroll(full)
    for (int j = 0; j < 10; j++) {
      i64 a = ((i & 1) && (j & 1)) ? f2[i] : (i64)f[i];
      i64 b = (i + j >= 10) ? g19[j] : (i64)g[j];
      t[(i + j) % 10] += a * b;
    }
  }
  carry(h, t);
}

/* f^2: the products f_i f_j with i < j counted twice. */
static void fe_sq(fe h, const fe f) {
  i64 t[10], f1[10], f19[10];
#pragma clang loop unroll(full)
  for (int k = 0; k < 10; k++) {
    f1[k] = f[k];
    f19[k] = 19 * (i64)f[k];
    t[k] = 0;
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < 10; i++) {
#pragma clang loop unroll(full)
    for (int j = i; j < 10; j++) {
      i64 m = (i == j ? 1 : 2) * (((i & 1) && (j & 1)) ? 2 : 1);
      i64 b = (i + j >= 10) ? f19[j] : f1[j];
      t[(i + j) % 10] += (m * f1[i]) * b;
    }
  }
  carry(h, t);
}

static void fe_sqn(fe h, const fe f, int n) {
  fe_sq(h, f);
  for (int k = 1; k < n; k++) fe_sq(h, h);
}

static void fe_frombytes(fe h, const u8 s[32]) {
  u8 b[40] = {0};
  for (int k = 0; k < 32; k++) b[k] = s[k];
  b[31] &= 0x7f;
  int off = 0;
  for (int k = 0; k < 10; k++) {
    int w = WIDTH(k);
    int at = off >> 3;
    u64 word = (u64)b[at] | ((u64)b[at + 1] << 8) | ((u64)b[at + 2] << 16) | ((u64)b[at + 3] << 24) | ((u64)b[at + 4] << 32);
    h[k] = (i32)((word >> (off & 7)) & (((u64)1 << w) - 1));
    off += w;
  }
}

/* The canonical encoding (value reduced below p), little-endian. */
static void fe_tobytes(u8 s[32], const fe f) {
  i64 t[10];
  for (int k = 0; k < 10; k++) t[k] = f[k];
  /* Two floor-carry passes: every limb non-negative, the value V in [0, 2^255 + 2^26). */
  for (int pass = 0; pass < 2; pass++) {
    for (int k = 0; k < 10; k++) {
      int w = WIDTH(k);
      i64 c = t[k] >> w;
      t[k] -= c * ((i64)1 << w);
      if (k < 9)
        t[k + 1] += c;
      else
        t[0] += 19 * c;
    }
  }
  /* q = floor((V + 19) / 2^255) is 1 exactly when V >= p; V - q p = V + 19 q - q 2^255. */
  i64 q = t[0] + 19;
  for (int k = 0; k < 10; k++) q = (k == 0 ? q : t[k] + q) >> WIDTH(k);
  t[0] += 19 * q;
  for (int k = 0; k < 9; k++) {
    int w = WIDTH(k);
    i64 c = t[k] >> w;
    t[k] -= c * ((i64)1 << w);
    t[k + 1] += c;
  }
  t[9] &= ((i64)1 << 25) - 1; /* drops q 2^255 */
  u64 acc = 0;
  int bits = 0, at = 0;
  for (int k = 0; k < 10; k++) {
    acc |= (u64)t[k] << bits;
    bits += WIDTH(k);
    while (bits >= 8) {
      s[at++] = (u8)acc;
      acc >>= 8;
      bits -= 8;
    }
  }
  s[at] = (u8)acc; /* the last 7 bits */
}

/* 1 if f = 0 mod p, else 0, without branches on f. */
static u32 fe_iszero(const fe f) {
  u8 s[32];
  fe_tobytes(s, f);
  u32 acc = 0;
  for (int k = 0; k < 32; k++) acc |= s[k];
  return (u32)(((acc | (0u - acc)) >> 31) ^ 1u);
}

static u32 fe_equal(const fe f, const fe g) {
  fe d;
  fe_sub(d, f, g);
  return fe_iszero(d);
}

static u32 fe_parity(const fe f) {
  u8 s[32];
  fe_tobytes(s, f);
  return s[0] & 1;
}

/* f := g when b = 1, unchanged when b = 0. */
static void fe_cmov(fe f, const fe g, u32 b) {
  i32 mask = -(i32)b;
  for (int k = 0; k < 10; k++) f[k] ^= mask & (f[k] ^ g[k]);
}

/* z^(2^250 - 1) and z^11, shared by the two exponentiations below. */
static void pow_2_250_1(fe out, fe z11, const fe z) {
  fe z2, z9, a, z5, z10, z20, z50, z100;
  fe_sq(z2, z);
  fe_sqn(a, z2, 2);
  fe_mul(z9, a, z);     /* z^9 */
  fe_mul(z11, z9, z2);  /* z^11 */
  fe_sq(a, z11);
  fe_mul(z5, a, z9);    /* z^(2^5 - 1) */
  fe_sqn(a, z5, 5);
  fe_mul(z10, a, z5);   /* z^(2^10 - 1) */
  fe_sqn(a, z10, 10);
  fe_mul(z20, a, z10);  /* z^(2^20 - 1) */
  fe_sqn(a, z20, 20);
  fe_mul(a, a, z20);    /* z^(2^40 - 1) */
  fe_sqn(a, a, 10);
  fe_mul(z50, a, z10);  /* z^(2^50 - 1) */
  fe_sqn(a, z50, 50);
  fe_mul(z100, a, z50); /* z^(2^100 - 1) */
  fe_sqn(a, z100, 100);
  fe_mul(a, a, z100);   /* z^(2^200 - 1) */
  fe_sqn(a, a, 50);
  fe_mul(out, a, z50);  /* z^(2^250 - 1) */
}

/* z^(p - 2) = 1/z (0 for z = 0). */
static void fe_invert(fe out, const fe z) {
  fe a, z11;
  pow_2_250_1(a, z11, z);
  fe_sqn(a, a, 5);
  fe_mul(out, a, z11); /* z^(2^255 - 21) */
}

/* z^((p + 3) / 8) = z^(2^252 - 2): a square root of z or of -z when z is a square (p = 5 mod 8). */
static void fe_pow_p38(fe out, const fe z) {
  fe a, z11;
  pow_2_250_1(a, z11, z);
  fe_sqn(out, a, 2);
  fe_mul(out, out, z); /* z^(2^252 - 3) */
  fe_mul(out, out, z);
}

/* ---------- points: edwards25519 in extended coordinates (x = X/Z, y = Y/Z, T = XY/Z) ---------- */

typedef struct {
  fe X, Y, Z, T;
} point;

/* Doubling for a = -1 (Hisil, Wong, Carter, Dawson 2008, "dbl-2008-hwcd"); T is not read. */
static void point_double(point *r, const point *p) {
  fe a, b, c, e, g, f, h;
  fe_sq(a, p->X);
  fe_sq(b, p->Y);
  fe_sq(c, p->Z);
  fe_add(c, c, c);
  fe_add(e, p->X, p->Y);
  fe_sq(e, e);
  fe_sub(e, e, a);
  fe_sub(e, e, b);
  fe_sub(g, b, a); /* D + B with D = -A */
  fe_sub(f, g, c);
  fe_neg(h, a);
  fe_sub(h, h, b); /* D - B */
  fe_mul(r->X, e, f);
  fe_mul(r->Y, g, h);
  fe_mul(r->T, e, h);
  fe_mul(r->Z, f, g);
}

/* ---------- the map ---------- */

static fe K_ONE, K_SQRT_M1, K_C, K_D2, K_A, K_MINUS_A;
static u32 constants_ready;

static void load_constants(void) {
  fe_frombytes(K_ONE, ONE_BYTES);
  fe_frombytes(K_SQRT_M1, SQRT_M1_BYTES);
  fe_frombytes(K_C, C_BYTES);
  fe_frombytes(K_D2, D2_BYTES);
  fe_small(K_A, CURVE_A);
  fe_small(K_MINUS_A, -CURVE_A);
  constants_ready = 1;
}

/*
 * Elligator 2 of r (Bernstein, Hamburg, Krasnova, Lange 2013, non-square 2), as
 * libsodium's ge25519_elligator2 and ge25519_mont_to_ed decide it, as an Edwards
 * point with an x of either sign (the caller fixes the sign). Returns the sign bit.
 *
 * With t from r and D = 1 + 2t^2: x1 = -A/D, g(x1) D^4 = w = -A D (D^2 - A^2 D + A^2),
 * so g(x1) is a square exactly when w is. If so, u = -A/D and v = sqrt(w)/D^2;
 * otherwise u = 2t^2 x1 = -2A t^2/D and, since g(2t^2 x1) = 2t^2 g(x1),
 * v = t sqrt(2w)/D^2. In both cases u = un/D, v = vn/D^2, and the birational map
 * (RFC 7748 §4.1) x = c u/v, y = (u - 1)/(u + 1) with c^2 = -486664 gives
 * x = c un D/vn, y = (un - D)/(un + D). t = 0 gives u = 0, where libsodium
 * returns the identity.
 */
static u32 map_to_edwards(point *out, const u8 r[32]) {
  fe t, t2, d, w, tmp, beta, check, root, root2, alt, un, vn, a, cc, dd;
  u32 sign = r[31] >> 7;
  fe_frombytes(t, r);
  fe_sq(t2, t);
  fe_add(d, t2, t2);
  fe_add(d, d, K_ONE);
  /* w = -A D (D^2 - A^2 D + A^2) */
  fe_mul(tmp, K_A, K_A);  /* A^2 */
  fe_sub(w, d, tmp);      /* D - A^2 */
  fe_mul(w, w, d);        /* D^2 - A^2 D */
  fe_add(w, w, tmp);      /* + A^2 */
  fe_mul(w, w, d);
  fe_mul(w, w, K_MINUS_A);
  /* beta^2 is w, -w, i w or -i w */
  fe_pow_p38(beta, w);
  fe_sq(check, beta);
  u32 plus = fe_equal(check, w);
  fe_neg(tmp, w);
  u32 minus = fe_equal(check, tmp);
  u32 square = plus | minus;
  fe_copy(root, beta);
  fe_mul(alt, beta, K_SQRT_M1);
  fe_cmov(root, alt, minus);
  /* non-square: beta^2 = i w gives sqrt(2w) = beta (1 - i); beta^2 = -i w gives beta (1 + i) */
  fe_sub(tmp, K_ONE, K_SQRT_M1);
  fe_mul(root2, beta, tmp);
  fe_add(tmp, K_ONE, K_SQRT_M1);
  fe_mul(alt, beta, tmp);
  fe_sq(check, root2);
  fe_add(tmp, w, w);
  fe_cmov(root2, alt, fe_equal(check, tmp) ^ 1);
  /* un, vn of the branch */
  fe_copy(un, K_MINUS_A);
  fe_copy(vn, root);
  fe_mul(tmp, K_MINUS_A, t2);
  fe_add(tmp, tmp, tmp);
  fe_cmov(un, tmp, square ^ 1);
  fe_mul(tmp, t, root2);
  fe_cmov(vn, tmp, square ^ 1);
  /* x = a/b, y = cc/dd with a = c un D, b = vn, cc = un - D, dd = un + D */
  fe_mul(a, K_C, un);
  fe_mul(a, a, d);
  fe_sub(cc, un, d);
  fe_add(dd, un, d);
  fe_mul(out->X, a, dd);
  fe_mul(out->Y, cc, vn);
  fe_mul(out->Z, vn, dd);
  fe_mul(out->T, a, cc);
  /* u = 0 (t = 0): the identity (0 : 1 : 1 : 0) */
  u32 identity = fe_iszero(un);
  fe zero;
  fe_small(zero, 0);
  fe_cmov(out->X, zero, identity);
  fe_cmov(out->Y, K_ONE, identity);
  fe_cmov(out->Z, K_ONE, identity);
  fe_cmov(out->T, zero, identity);
  return sign;
}

/*
 * 1/den[i] for every i into inv[i], with one inversion (Montgomery's trick).
 * No den[i] may be zero. `scratch` holds n prefix products.
 */
static void batch_invert(fe *inv, const fe *den, fe *scratch, int n) {
  fe acc, all;
  fe_copy(acc, K_ONE);
  for (int i = 0; i < n; i++) {
    fe_copy(scratch[i], acc);
    fe_mul(acc, acc, den[i]);
  }
  fe_invert(all, acc);
  for (int i = n - 1; i >= 0; i--) {
    fe_mul(inv[i], all, scratch[i]);
    fe_mul(all, all, den[i]);
  }
}

/* ---------- the batch ---------- */

static u8 input[BATCH * 64];
static u8 output[BATCH * 32];
static point maps[2 * BATCH];
static u32 signs[2 * BATCH];
static fe dens[2 * BATCH];
static fe invs[2 * BATCH];
static fe prefix[2 * BATCH];

__attribute__((export_name("input_ptr"))) u8 *input_ptr(void) { return input; }
__attribute__((export_name("output_ptr"))) u8 *output_ptr(void) { return output; }
__attribute__((export_name("batch_items"))) int batch_items(void) { return BATCH; }

/*
 * Reads n (<= BATCH) 64-byte strings from `input`, writes n 32-byte canonical
 * u-coordinates to `output`. The identity gives u = 0.
 */
__attribute__((export_name("hash_to_u"))) void hash_to_u(int n) {
  if (!constants_ready) load_constants();
  if (n > BATCH) n = BATCH;
  int m = 2 * n;
  for (int i = 0; i < m; i++) {
    signs[i] = map_to_edwards(&maps[i], input + 32 * i);
    fe_copy(dens[i], maps[i].Z);
  }
  batch_invert(invs, dens, prefix, m);
  for (int i = 0; i < m; i++) {
    point *p = &maps[i];
    fe x, neg;
    fe_mul(x, p->X, invs[i]);
    /* libsodium's point has the x whose parity is the sign bit (RFC 8032 §5.1.3) */
    u32 flip = fe_parity(x) ^ signs[i];
    fe_neg(neg, p->X);
    fe_cmov(p->X, neg, flip);
    fe_neg(neg, p->T);
    fe_cmov(p->T, neg, flip);
    /* times the cofactor 8 */
    point_double(p, p);
    point_double(p, p);
    point_double(p, p);
  }
  /*
   * Sum (Hisil et al. 2008, "add-2008-hwcd-3", a = -1, k = 2d), which is complete on
   * edwards25519: Y3 = G H, Z3 = F G with G != 0, so u = (Z3 + Y3)/(Z3 - Y3) = (F + H)/(F - H).
   */
  for (int i = 0; i < n; i++) {
    const point *p = &maps[2 * i], *q = &maps[2 * i + 1];
    fe a, b, c, d, t1, t2, f, h;
    fe_sub(t1, p->Y, p->X);
    fe_sub(t2, q->Y, q->X);
    fe_mul(a, t1, t2);
    fe_add(t1, p->Y, p->X);
    fe_add(t2, q->Y, q->X);
    fe_mul(b, t1, t2);
    fe_mul(c, p->T, K_D2);
    fe_mul(c, c, q->T);
    fe_mul(d, p->Z, q->Z);
    fe_add(d, d, d);
    fe_sub(f, d, c);
    fe_add(h, b, a);
    fe_add(invs[i], f, h); /* numerator, kept until the division */
    fe_sub(dens[i], f, h);
    /* the identity (F = H) gives u = 0: divide by 1, then zero the numerator */
    u32 identity = fe_iszero(dens[i]);
    fe_cmov(dens[i], K_ONE, identity);
    fe zero;
    fe_small(zero, 0);
    fe_cmov(invs[i], zero, identity);
  }
  batch_invert(invs + n, dens, prefix, n);
  for (int i = 0; i < n; i++) {
    fe u;
    fe_mul(u, invs[i], invs[n + i]);
    fe_tobytes(output + 32 * i, u);
  }
}
