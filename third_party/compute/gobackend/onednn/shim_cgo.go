//go:build cgo && linux

package onednn

/*
#cgo CFLAGS: -I${SRCDIR}/include -O2
#cgo LDFLAGS: -ldl -lpthread
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include "oneapi/dnnl/dnnl_types.h"
#include "oneapi/dnnl/dnnl_version.h"

// The library is opened at run time (dlopen), so that building needs only
// these vendored headers of oneDNN 2.x, and a machine without the library
// still runs everything on the pure-Go convolution.
static struct {
	dnnl_status_t (*engine_create)(dnnl_engine_t*, dnnl_engine_kind_t, size_t);
	dnnl_status_t (*stream_create)(dnnl_stream_t*, dnnl_engine_t, unsigned);
	dnnl_status_t (*stream_wait)(dnnl_stream_t);
	dnnl_status_t (*stream_destroy)(dnnl_stream_t);
	dnnl_status_t (*md_init_by_strides)(dnnl_memory_desc_t*, int, const dnnl_dims_t, dnnl_data_type_t, const dnnl_dims_t);
	dnnl_status_t (*md_init_by_tag)(dnnl_memory_desc_t*, int, const dnnl_dims_t, dnnl_data_type_t, dnnl_format_tag_t);
	int (*md_equal)(const dnnl_memory_desc_t*, const dnnl_memory_desc_t*);
	size_t (*md_get_size)(const dnnl_memory_desc_t*);
	dnnl_status_t (*conv_fwd_init)(dnnl_convolution_desc_t*, dnnl_prop_kind_t, dnnl_alg_kind_t,
		const dnnl_memory_desc_t*, const dnnl_memory_desc_t*, const dnnl_memory_desc_t*, const dnnl_memory_desc_t*,
		const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
	dnnl_status_t (*conv_bwd_data_init)(dnnl_convolution_desc_t*, dnnl_alg_kind_t,
		const dnnl_memory_desc_t*, const dnnl_memory_desc_t*, const dnnl_memory_desc_t*,
		const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
	dnnl_status_t (*conv_bwd_weights_init)(dnnl_convolution_desc_t*, dnnl_alg_kind_t,
		const dnnl_memory_desc_t*, const dnnl_memory_desc_t*, const dnnl_memory_desc_t*, const dnnl_memory_desc_t*,
		const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t, const dnnl_dims_t);
	dnnl_status_t (*pd_create)(dnnl_primitive_desc_t*, const_dnnl_op_desc_t, const_dnnl_primitive_attr_t, dnnl_engine_t, const_dnnl_primitive_desc_t);
	dnnl_status_t (*pd_destroy)(dnnl_primitive_desc_t);
	const dnnl_memory_desc_t* (*pd_query_md)(const_dnnl_primitive_desc_t, dnnl_query_t, int);
	dnnl_status_t (*pd_query)(const_dnnl_primitive_desc_t, dnnl_query_t, int, void*);
	dnnl_status_t (*reorder_pd_create)(dnnl_primitive_desc_t*, const dnnl_memory_desc_t*, dnnl_engine_t, const dnnl_memory_desc_t*, dnnl_engine_t, const_dnnl_primitive_attr_t);
	dnnl_status_t (*prim_create)(dnnl_primitive_t*, const_dnnl_primitive_desc_t);
	dnnl_status_t (*prim_destroy)(dnnl_primitive_t);
	dnnl_status_t (*prim_execute)(const_dnnl_primitive_t, dnnl_stream_t, int, const dnnl_exec_arg_t*);
	dnnl_status_t (*mem_create)(dnnl_memory_t*, const dnnl_memory_desc_t*, dnnl_engine_t, void*);
	dnnl_status_t (*mem_destroy)(dnnl_memory_t);
	const dnnl_version_t* (*version)(void);
	dnnl_status_t (*sgemm)(char, char, dnnl_dim_t, dnnl_dim_t, dnnl_dim_t, float, const float*, dnnl_dim_t,
		const float*, dnnl_dim_t, float, float*, dnnl_dim_t);
} dn;

// OpenMP's thread count for parallel regions started by the calling thread
// (an OpenMP internal control variable kept per thread), when the library
// oneDNN links exports it (libgomp does).
static void (*dn_omp_set_num_threads)(int);
static int (*dn_omp_get_max_threads)(void);

// dn_thread_control says whether the thread count can be set (dn_sgemm's
// threads argument has an effect).
static int dn_thread_control(void) { return dn_omp_set_num_threads != NULL; }

static int dn_max_threads(void) {
	return dn_omp_get_max_threads ? dn_omp_get_max_threads() : 0;
}

static dnnl_engine_t dn_engine;
static dnnl_stream_t dn_stream;  // used by the worker thread only
static char dn_version[64];

// Error messages are malloc'd for Go to free; NULL from malloc would read
// as success, so an allocation failure aborts instead.
static char* dn_alloc_msg(void) {
	char* s = malloc(512);
	if (!s) abort();
	return s;
}

static char* dn_errorf(const char* what, int status) {
	char* s = dn_alloc_msg();
	snprintf(s, 512, "%s failed with dnnl_status_t %d", what, status);
	return s;
}

#define DN_SYM(field, name) do { dn.field = dlsym(h, name); if (!dn.field) { \
	char* s = dn_alloc_msg(); snprintf(s, 512, "symbol %s missing from %s", name, path); dlclose(h); return s; } } while (0)

// dn_load opens the library and creates the CPU engine; it returns NULL or a
// malloc'd error message.
static char* dn_load(const char* path) {
	void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char* e = dlerror();
		char* s = dn_alloc_msg();
		snprintf(s, 512, "%s", e ? e : "dlopen failed");
		return s;
	}
	DN_SYM(version, "dnnl_version");
	const dnnl_version_t* v = dn.version();
	snprintf(dn_version, sizeof dn_version, "%d.%d.%d", v->major, v->minor, v->patch);
	if (v->major != DNNL_VERSION_MAJOR) {
		char* s = dn_alloc_msg();
		snprintf(s, 512, "%s is oneDNN %s; this build needs version %d.x (its C API and types)", path, dn_version, DNNL_VERSION_MAJOR);
		dlclose(h);
		return s;
	}
	DN_SYM(engine_create, "dnnl_engine_create");
	DN_SYM(stream_create, "dnnl_stream_create");
	DN_SYM(stream_wait, "dnnl_stream_wait");
	DN_SYM(stream_destroy, "dnnl_stream_destroy");
	DN_SYM(md_init_by_strides, "dnnl_memory_desc_init_by_strides");
	DN_SYM(md_init_by_tag, "dnnl_memory_desc_init_by_tag");
	DN_SYM(md_equal, "dnnl_memory_desc_equal");
	DN_SYM(md_get_size, "dnnl_memory_desc_get_size");
	DN_SYM(conv_fwd_init, "dnnl_dilated_convolution_forward_desc_init");
	DN_SYM(conv_bwd_data_init, "dnnl_dilated_convolution_backward_data_desc_init");
	DN_SYM(conv_bwd_weights_init, "dnnl_dilated_convolution_backward_weights_desc_init");
	DN_SYM(pd_create, "dnnl_primitive_desc_create");
	DN_SYM(pd_destroy, "dnnl_primitive_desc_destroy");
	DN_SYM(pd_query_md, "dnnl_primitive_desc_query_md");
	DN_SYM(pd_query, "dnnl_primitive_desc_query");
	DN_SYM(reorder_pd_create, "dnnl_reorder_primitive_desc_create");
	DN_SYM(prim_create, "dnnl_primitive_create");
	DN_SYM(prim_destroy, "dnnl_primitive_destroy");
	DN_SYM(prim_execute, "dnnl_primitive_execute");
	DN_SYM(mem_create, "dnnl_memory_create");
	DN_SYM(mem_destroy, "dnnl_memory_destroy");
	DN_SYM(sgemm, "dnnl_sgemm");
	// dlsym on the library's handle also searches its dependencies.
	dn_omp_set_num_threads = dlsym(h, "omp_set_num_threads");
	dn_omp_get_max_threads = dlsym(h, "omp_get_max_threads");
	dnnl_status_t st = dn.engine_create(&dn_engine, dnnl_cpu, 0);
	if (st != dnnl_success) return dn_errorf("dnnl_engine_create", st);
	st = dn.stream_create(&dn_stream, dn_engine, dnnl_stream_default_flags);
	if (st != dnnl_success) return dn_errorf("dnnl_stream_create", st);
	return NULL;
}

static const char* dn_get_version(void) { return dn_version; }

// dn_gemm is C = op(A)·op(B) on row-major float32 matrices whose rows are
// lda, ldb and ldc elements apart; C is m×n and written, not read (beta 0).
typedef struct {
	int transA, transB;
	int64_t m, n, k, lda, ldb, ldc;
	const float *a, *b;
	float* c;
} dn_gemm;

static dnnl_status_t dn_gemm_run(const dn_gemm* g) {
	return dn.sgemm(g->transA ? 'T' : 'N', g->transB ? 'T' : 'N', g->m, g->n, g->k, 1.0f,
		g->a, g->lda, g->b, g->ldb, 0.0f, g->c, g->ldc);
}

// dn_sgemm runs g by an OpenMP team of threads threads when threads > 0
// (set here, in the same call, so that it applies to the thread that runs
// the product).
static char* dn_sgemm(int threads, dn_gemm g) {
	if (threads > 0 && dn_omp_set_num_threads) dn_omp_set_num_threads(threads);
	dnnl_status_t st = dn_gemm_run(&g);
	return st == dnnl_success ? NULL : dn_errorf("dnnl_sgemm", st);
}

// A large product in two halves (halves.go says why): dn_halves is one
// product's two halves, each an sgemm on one thread. The caller computes
// one and offers the other to dn_helper, a thread of this library's own,
// which the Go scheduler does not stand between; whoever claims a half
// first computes it.

typedef struct {
	dn_gemm half[2];
	dnnl_status_t status[2];
	atomic_int claimed;     // halves taken
	atomic_int done;        // halves finished
	atomic_int helper_left; // the helper will not touch this struct again
} dn_halves;

// Who computes a product's halves (halves.go's halvesOffer has the same
// values).
enum { DN_CALLER_ONLY = 0, DN_OFFER_TO_HELPER = 1, DN_HELPER_FIRST = 2 };

// The atomics below use the default, sequentially consistent order, which
// the hand-over relies on: the helper stores sleeping and then loads
// offered, a caller stores offered and then loads sleeping, and one of the
// two must see the other's store (acquire and release alone would let both
// miss it).
static struct {
	pthread_once_t once;
	int running;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	_Atomic(dn_halves*) offered;
	atomic_int sleeping;
	atomic_llong helped;  // halves the helper computed
	atomic_llong spin_ns; // how long it spins after its last product before it sleeps
} dn_helper = {.once = PTHREAD_ONCE_INIT, .mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static int64_t dn_now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// dn_relax is one turn of a wait for another thread: a pause, and every
// 1,024th turn (some tens of microseconds) the core for any other thread
// that wants it (the one waited for may be among them, on a machine with
// fewer cores than threads).
static void dn_relax(unsigned* turns) {
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
	if (++*turns % 1024 == 0) sched_yield();
}

// dn_halves_work computes halves of h, each on one OpenMP thread, until
// none is left to claim, and returns how many it computed.
static int dn_halves_work(dn_halves* h) {
	int computed = 0;
	for (;;) {
		int i = atomic_fetch_add(&h->claimed, 1);
		if (i >= 2) return computed;
		if (dn_omp_set_num_threads) dn_omp_set_num_threads(1);
		h->status[i] = dn_gemm_run(&h->half[i]);
		atomic_fetch_add(&h->done, 1);
		computed++;
	}
}

// dn_helper_main takes offered products. Between offers it spins, yielding
// its core to any other thread that wants it (sched_yield), and after
// spin_ns without a product it sleeps until the next offer.
static void* dn_helper_main(void* arg) {
	(void)arg;
	int64_t last = dn_now_ns();
	for (unsigned spins = 1;; spins++) {
		// Read before taking: an exchange on every turn would keep the
		// cache line in this core's cache, away from the callers'.
		dn_halves* h = atomic_load(&dn_helper.offered) ? atomic_exchange(&dn_helper.offered, NULL) : NULL;
		if (h) {
			atomic_fetch_add(&dn_helper.helped, dn_halves_work(h));
			atomic_store(&h->helper_left, 1);
			last = dn_now_ns();
			continue;
		}
		if (spins % 64 == 0 && dn_now_ns() - last > atomic_load(&dn_helper.spin_ns)) {
			pthread_mutex_lock(&dn_helper.mu);
			atomic_store(&dn_helper.sleeping, 1);
			while (atomic_load(&dn_helper.offered) == NULL) pthread_cond_wait(&dn_helper.wake, &dn_helper.mu);
			atomic_store(&dn_helper.sleeping, 0);
			pthread_mutex_unlock(&dn_helper.mu);
			last = dn_now_ns();
			continue;
		}
		sched_yield();
	}
	return NULL;
}

// dn_helper_start starts the helper with every signal blocked, so that
// signals meant for the process reach the Go runtime's threads.
static void dn_helper_start(void) {
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	dn_helper.running = pthread_create(&t, &attr, dn_helper_main, NULL) == 0;
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

// dn_sgemm_halves computes both halves. With DN_OFFER_TO_HELPER it first
// offers them to the helper (a product already on offer from another thread
// is not replaced: the caller then computes both); with DN_HELPER_FIRST (for
// tests) it also waits for the helper to claim the first. It returns only
// when neither this thread nor the helper will touch h, on this thread's
// stack, again: an offer the helper has not taken is withdrawn, and one it
// has taken is waited for.
static char* dn_sgemm_halves(int offer, dn_gemm first, dn_gemm second) {
	dn_halves h = {.half = {first, second}};
	atomic_init(&h.claimed, 0);
	atomic_init(&h.done, 0);
	atomic_init(&h.helper_left, 0);
	int offered = 0;
	unsigned turns = 0;
	if (offer != DN_CALLER_ONLY) {
		pthread_once(&dn_helper.once, dn_helper_start);
		dn_halves* none = NULL;
		if (dn_helper.running && atomic_compare_exchange_strong(&dn_helper.offered, &none, &h)) {
			offered = 1;
			if (atomic_load(&dn_helper.sleeping)) {
				pthread_mutex_lock(&dn_helper.mu);
				pthread_cond_signal(&dn_helper.wake);
				pthread_mutex_unlock(&dn_helper.mu);
			}
			if (offer == DN_HELPER_FIRST) {
				while (atomic_load(&h.claimed) == 0) dn_relax(&turns);
			}
		}
	}
	dn_halves_work(&h);
	while (atomic_load(&h.done) < 2) dn_relax(&turns); // the helper is computing the other half
	if (offered) {
		dn_halves* mine = &h;
		// Only the helper takes an offer away: if it is gone, the helper has it.
		if (!atomic_compare_exchange_strong(&dn_helper.offered, &mine, NULL)) {
			while (!atomic_load(&h.helper_left)) dn_relax(&turns);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (h.status[i] != dnnl_success) return dn_errorf("dnnl_sgemm", h.status[i]);
	}
	return NULL;
}

static long long dn_helped(void) { return atomic_load(&dn_helper.helped); }
static int dn_helper_running(void) { return dn_helper.running; }
static void dn_set_helper_spin(long long ns) { atomic_store(&dn_helper.spin_ns, ns); }

enum { DN_FWD = 0, DN_BWD_DATA = 1, DN_BWD_WEIGHTS = 2 };

// dn_plan is one convolution, its primitives made once and run many times.
// a, w and out name the op's operands: for DN_FWD src, weights and dst; for
// DN_BWD_DATA diff_dst, weights and diff_src; for DN_BWD_WEIGHTS src,
// diff_dst and diff_weights. The weights are given and returned in the
// caller's plain layout (wUser); the convolution may want another (wConv),
// so a reorder runs through the plan's scratch buffer (wScratch, wConvSize
// bytes; plans run one at a time, on the worker thread).
typedef struct {
	int kind;
	dnnl_primitive_t conv, reorder;
	dnnl_memory_desc_t aMD, bMD, wUser, wConv;  // bMD: dst (forward), diff_src (backward data), diff_dst (backward weights)
	size_t wConvSize;
	void* wScratch;
	char impl[128];
} dn_plan;

static void dn_free_plan(dn_plan* p) {
	if (p->conv) dn.prim_destroy(p->conv);
	if (p->reorder) dn.prim_destroy(p->reorder);
	free(p->wScratch);
	free(p);
}

// dn_make_plan builds a plan from logical (N, C, H, W) data and (O, I, KH,
// KW) weights descriptions, each dims plus element strides, the strides,
// dilations (oneDNN's: 0 is none) and paddings of the forward convolution
// whose primitive (or gradient) is wanted. src/dst are that forward
// convolution's. It returns NULL or a malloc'd error message.
static char* dn_make_plan(int kind,
		const int64_t* srcDims, const int64_t* srcStrides,
		const int64_t* wDims, const int64_t* wStrides,
		const int64_t* dstDims, const int64_t* dstStrides,
		const int64_t* strides, const int64_t* dilates, const int64_t* padL, const int64_t* padR,
		dn_plan** out) {
	dnnl_memory_desc_t srcMD, dstMD, wAny, wUser;
	dnnl_status_t st;
	if ((st = dn.md_init_by_strides(&srcMD, 4, srcDims, dnnl_f32, srcStrides)) != dnnl_success) return dn_errorf("src memory desc", st);
	if ((st = dn.md_init_by_strides(&dstMD, 4, dstDims, dnnl_f32, dstStrides)) != dnnl_success) return dn_errorf("dst memory desc", st);
	if ((st = dn.md_init_by_strides(&wUser, 4, wDims, dnnl_f32, wStrides)) != dnnl_success) return dn_errorf("weights memory desc", st);
	if ((st = dn.md_init_by_tag(&wAny, 4, wDims, dnnl_f32, dnnl_format_tag_any)) != dnnl_success) return dn_errorf("weights memory desc (any)", st);

	dnnl_convolution_desc_t fwdDesc, desc;
	if ((st = dn.conv_fwd_init(&fwdDesc, dnnl_forward_training, dnnl_convolution_direct, &srcMD, &wAny, NULL, &dstMD,
			strides, dilates, padL, padR)) != dnnl_success) return dn_errorf("forward convolution desc", st);
	dnnl_primitive_desc_t fwdPD = NULL, pd = NULL;
	if ((st = dn.pd_create(&fwdPD, &fwdDesc, NULL, dn_engine, NULL)) != dnnl_success) return dn_errorf("forward convolution primitive desc", st);
	if (kind == DN_FWD) {
		pd = fwdPD;
		fwdPD = NULL;
	} else {
		if (kind == DN_BWD_DATA) {
			st = dn.conv_bwd_data_init(&desc, dnnl_convolution_direct, &srcMD, &wAny, &dstMD, strides, dilates, padL, padR);
		} else {
			st = dn.conv_bwd_weights_init(&desc, dnnl_convolution_direct, &srcMD, &wAny, NULL, &dstMD, strides, dilates, padL, padR);
		}
		if (st != dnnl_success) { dn.pd_destroy(fwdPD); return dn_errorf("backward convolution desc", st); }
		st = dn.pd_create(&pd, &desc, NULL, dn_engine, fwdPD);
		dn.pd_destroy(fwdPD);
		if (st != dnnl_success) return dn_errorf("backward convolution primitive desc", st);
	}
	dn_plan* p = calloc(1, sizeof(dn_plan));
	if (!p) abort();
	p->kind = kind;
	p->wUser = wUser;
	const dnnl_memory_desc_t* wConv = dn.pd_query_md(pd, kind == DN_BWD_WEIGHTS ? dnnl_query_diff_weights_md : dnnl_query_weights_md, 0);
	if (!wConv) { dn.pd_destroy(pd); free(p); return dn_errorf("weights memory desc query", dnnl_runtime_error); }
	p->wConv = *wConv;
	p->wConvSize = dn.md_get_size(&p->wConv);
	switch (kind) {
	case DN_FWD: p->aMD = srcMD; p->bMD = dstMD; break;
	case DN_BWD_DATA: p->aMD = dstMD; p->bMD = srcMD; break;
	default: p->aMD = srcMD; p->bMD = dstMD; break;
	}
	const char* impl = NULL;
	if (dn.pd_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl) snprintf(p->impl, sizeof p->impl, "%s", impl);
	st = dn.prim_create(&p->conv, pd);
	dn.pd_destroy(pd);
	if (st != dnnl_success) { p->conv = NULL; dn_free_plan(p); return dn_errorf("convolution primitive", st); }
	if (!dn.md_equal(&p->wUser, &p->wConv)) {
		dnnl_primitive_desc_t rpd;
		if (kind == DN_BWD_WEIGHTS) st = dn.reorder_pd_create(&rpd, &p->wConv, dn_engine, &p->wUser, dn_engine, NULL);
		else st = dn.reorder_pd_create(&rpd, &p->wUser, dn_engine, &p->wConv, dn_engine, NULL);
		if (st != dnnl_success) { dn_free_plan(p); return dn_errorf("weights reorder primitive desc", st); }
		st = dn.prim_create(&p->reorder, rpd);
		dn.pd_destroy(rpd);
		if (st != dnnl_success) { p->reorder = NULL; dn_free_plan(p); return dn_errorf("weights reorder primitive", st); }
		// aligned_alloc wants a size that is a multiple of the alignment.
		p->wScratch = aligned_alloc(64, (p->wConvSize + 63) / 64 * 64);
		if (!p->wScratch) { dn_free_plan(p); return dn_errorf("weights scratch allocation", dnnl_out_of_memory); }
	}
	*out = p;
	return NULL;
}

static const char* dn_plan_impl(dn_plan* p) { return p->impl; }

// dn_run executes a plan on the caller's buffers: a and w are the op's two
// operands, out its result (see dn_plan). It runs on the worker thread only
// (dn_stream and the plan's scratch are not shared). It returns NULL or a
// malloc'd error.
static char* dn_run(dn_plan* p, void* a, void* w, void* out) {
	dnnl_status_t st;
	char* err = NULL;
	dnnl_memory_t mA = NULL, mB = NULL, mUser = NULL, mConv = NULL;
	void* bPtr = p->kind == DN_BWD_WEIGHTS ? w : out;    // dst / diff_src / diff_dst
	void* userW = p->kind == DN_BWD_WEIGHTS ? out : w;   // weights or diff_weights, caller's layout
	if ((st = dn.mem_create(&mA, &p->aMD, dn_engine, a)) != dnnl_success) { err = dn_errorf("memory", st); goto done; }
	if ((st = dn.mem_create(&mB, &p->bMD, dn_engine, bPtr)) != dnnl_success) { err = dn_errorf("memory", st); goto done; }
	if ((st = dn.mem_create(&mUser, &p->wUser, dn_engine, userW)) != dnnl_success) { err = dn_errorf("memory", st); goto done; }
	if (p->reorder && (st = dn.mem_create(&mConv, &p->wConv, dn_engine, p->wScratch)) != dnnl_success) { err = dn_errorf("memory", st); goto done; }
	dnnl_memory_t mW = p->reorder ? mConv : mUser;
	if (p->kind == DN_BWD_WEIGHTS) {
		dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, mA}, {DNNL_ARG_DIFF_DST, mB}, {DNNL_ARG_DIFF_WEIGHTS, mW}};
		if ((st = dn.prim_execute(p->conv, dn_stream, 3, args)) != dnnl_success) { err = dn_errorf("convolution backward weights", st); goto done; }
		if (p->reorder) {
			dnnl_exec_arg_t rargs[2] = {{DNNL_ARG_FROM, mConv}, {DNNL_ARG_TO, mUser}};
			if ((st = dn.prim_execute(p->reorder, dn_stream, 2, rargs)) != dnnl_success) { err = dn_errorf("weights reorder", st); goto done; }
		}
	} else {
		if (p->reorder) {
			dnnl_exec_arg_t rargs[2] = {{DNNL_ARG_FROM, mUser}, {DNNL_ARG_TO, mConv}};
			if ((st = dn.prim_execute(p->reorder, dn_stream, 2, rargs)) != dnnl_success) { err = dn_errorf("weights reorder", st); goto done; }
		}
		if (p->kind == DN_FWD) {
			dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, mA}, {DNNL_ARG_WEIGHTS, mW}, {DNNL_ARG_DST, mB}};
			st = dn.prim_execute(p->conv, dn_stream, 3, args);
		} else {
			dnnl_exec_arg_t args[3] = {{DNNL_ARG_DIFF_DST, mA}, {DNNL_ARG_WEIGHTS, mW}, {DNNL_ARG_DIFF_SRC, mB}};
			st = dn.prim_execute(p->conv, dn_stream, 3, args);
		}
		if (st != dnnl_success) { err = dn_errorf("convolution", st); goto done; }
	}
	if ((st = dn.stream_wait(dn_stream)) != dnnl_success) err = dn_errorf("stream wait", st);
done:
	if (mA) dn.mem_destroy(mA);
	if (mB) dn.mem_destroy(mB);
	if (mUser) dn.mem_destroy(mUser);
	if (mConv) dn.mem_destroy(mConv);
	return err;
}
*/
import "C"

import (
	"errors"
	"time"
	"unsafe"
)

const cgoAvailable = true

func load(path string) (version string, err error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if msg := C.dn_load(cpath); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return "", errors.New(C.GoString(msg))
	}
	return C.GoString(C.dn_get_version()), nil
}

// plan is a compiled convolution (C memory, kept for the process's life:
// plans are cached by their geometry, batch size included, so a model has a
// few dozen: its layers' three forms at the training and evaluation batch
// sizes and a last partial batch).
type plan struct {
	c    *C.dn_plan
	impl string
}

// geometry is one convolution in oneDNN's terms: logical (N, C, H, W) data
// and (O, I, KH, KW) weights, each with element strides, of the forward
// convolution whose primitive or gradient is run.
type geometry struct {
	kind                         int
	srcDims, srcStrides          [4]int64
	wDims, wStrides              [4]int64
	dstDims, dstStrides          [4]int64
	strides, dilates, padL, padR [2]int64
	// packFrom, when not zero, are the strides of the source as it lies in
	// its buffer: srcDims crop it and srcStrides describe a dense copy,
	// which execConvGeneral makes (oneDNN runs a non-dense source only on
	// its slow reference kernels).
	packFrom [4]int64
}

func makePlan(g geometry) (*plan, error) {
	var p *C.dn_plan
	msg := C.dn_make_plan(C.int(g.kind),
		(*C.int64_t)(&g.srcDims[0]), (*C.int64_t)(&g.srcStrides[0]),
		(*C.int64_t)(&g.wDims[0]), (*C.int64_t)(&g.wStrides[0]),
		(*C.int64_t)(&g.dstDims[0]), (*C.int64_t)(&g.dstStrides[0]),
		(*C.int64_t)(&g.strides[0]), (*C.int64_t)(&g.dilates[0]), (*C.int64_t)(&g.padL[0]), (*C.int64_t)(&g.padR[0]),
		&p)
	if msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return nil, errors.New(C.GoString(msg))
	}
	return &plan{c: p, impl: C.GoString(C.dn_plan_impl(p))}, nil
}

// run executes the plan; the pointers are to Go float32 slices, which hold
// no Go pointers and are only used during the call (cgo's rules).
func (p *plan) run(a, w, out []float32) error {
	if len(a) == 0 || len(w) == 0 || len(out) == 0 {
		return errors.New("oneDNN convolution on an empty tensor")
	}
	if msg := C.dn_run(p.c, unsafe.Pointer(&a[0]), unsafe.Pointer(&w[0]), unsafe.Pointer(&out[0])); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return errors.New(C.GoString(msg))
	}
	return nil
}

// sgemm sets c (m×n) to op(a)·op(b), where op transposes when asked: a is
// m×k (k×m when transA), b is k×n (n×k when transB), all row-major and
// dense, on an OpenMP team of threads threads (0: the thread's current
// count). The slices hold no Go pointers and are used only during the call.
func sgemm(threads int, transA, transB bool, m, n, k int, a, b, c []float32) error {
	if m == 0 || n == 0 {
		return nil
	}
	if k == 0 {
		clear(c[:m*n])
		return nil
	}
	g, err := cGemm(denseGemm(transA, transB, m, n, k, a, b, c))
	if err != nil {
		return err
	}
	if msg := C.dn_sgemm(C.int(threads), g); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return errors.New(C.GoString(msg))
	}
	return nil
}

// sgemmHalves computes the two halves of a product (as halvesArgs cuts
// it), each by sgemm on one OpenMP thread: the calling thread takes one
// and, if offered, the helper thread may take the other. The slices hold
// no Go pointers; the helper uses them only while this call runs (the call
// returns when the helper is done with them), as cgo's rules ask of C code
// given Go memory.
func sgemmHalves(offer halvesOffer, halves [2]gemmArgs) error {
	var g [2]C.dn_gemm
	for i, h := range halves {
		var err error
		if g[i], err = cGemm(h); err != nil {
			return err
		}
	}
	if msg := C.dn_sgemm_halves(C.int(offer), g[0], g[1]); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return errors.New(C.GoString(msg))
	}
	return nil
}

// cGemm is g for the shim, once its matrices are known to be non-empty and
// within their slices.
func cGemm(g gemmArgs) (C.dn_gemm, error) {
	if g.m == 0 || g.n == 0 || g.k == 0 {
		return C.dn_gemm{}, errors.New("sgemm: an empty matrix")
	}
	if err := g.check(); err != nil {
		return C.dn_gemm{}, err
	}
	return C.dn_gemm{transA: cBool(g.transA), transB: cBool(g.transB), m: C.int64_t(g.m), n: C.int64_t(g.n), k: C.int64_t(g.k),
		lda: C.int64_t(g.lda), ldb: C.int64_t(g.ldb), ldc: C.int64_t(g.ldc),
		a: (*C.float)(&g.a[0]), b: (*C.float)(&g.b[0]), c: (*C.float)(&g.c[0])}, nil
}

// helperRunning reports whether the helper thread was started (it is
// started by the first offer).
func helperRunning() bool { return C.dn_helper_running() != 0 }

// helperHalves is how many halves the helper thread has computed.
func helperHalves() int64 { return int64(C.dn_helped()) }

// setHelperSpin sets how long the helper thread spins after its last half
// before it sleeps.
func setHelperSpin(d time.Duration) { C.dn_set_helper_spin(C.longlong(d.Nanoseconds())) }

func cBool(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

// threadControl reports whether sgemm's thread count can be set (OpenMP's
// omp_set_num_threads was found).
func threadControl() bool { return C.dn_thread_control() != 0 }

// maxThreads is the calling OS thread's OpenMP thread count (0 when
// unknown).
func maxThreads() int { return int(C.dn_max_threads()) }
