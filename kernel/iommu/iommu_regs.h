/*
 * VT-d remapping hardware: register offsets and fields (Intel VT-d spec,
 * chapter 11 "Register Descriptions"), root and context entries (9.1, 9.3),
 * second-level paging entries (9.8) and fault reasons (Appendix A, "Non-
 * Recoverable Fault Reason Encodings").  Names are the spec's.
 */
#ifndef SKIFF_KERNEL_IOMMU_REGS_H
#define SKIFF_KERNEL_IOMMU_REGS_H

#include <stdint.h>

/* Register offsets (11.4) */
#define VTD_VER_REG      0x00
#define VTD_CAP_REG      0x08
#define VTD_ECAP_REG     0x10
#define VTD_GCMD_REG     0x18
#define VTD_GSTS_REG     0x1c
#define VTD_RTADDR_REG   0x20
#define VTD_CCMD_REG     0x28
#define VTD_FSTS_REG     0x34
#define VTD_FECTL_REG    0x38
#define VTD_FEDATA_REG   0x3c
#define VTD_FEADDR_REG   0x40
#define VTD_IVA_OFF      0x00    /* IOTLB registers at ECAP.IRO * 16 (11.4.8) */
#define VTD_IOTLB_OFF    0x08

/* CAP_REG (11.4.2) */
#define VTD_CAP_ND(c)     ((unsigned)((c) & 7))               /* number of domains: 2^(4 + 2*ND) */
#define VTD_CAP_RWBF      (1ull << 4)                         /* required write-buffer flushing */
#define VTD_CAP_CM        (1ull << 7)                         /* caching mode */
#define VTD_CAP_SAGAW(c)  ((unsigned)(((c) >> 8) & 0x1f))     /* bit 1: 39-bit 3-level, bit 2: 48-bit 4-level */
#define VTD_CAP_MGAW(c)   ((unsigned)(((c) >> 16) & 0x3f) + 1)
#define VTD_CAP_FRO(c)    ((unsigned)(((c) >> 24) & 0x3ff) * 16)
#define VTD_CAP_SLLPS(c)  ((unsigned)(((c) >> 34) & 0xf))     /* bit 0: 2 MiB, bit 1: 1 GiB */
#define VTD_CAP_PSI       (1ull << 39)
#define VTD_CAP_NFR(c)    ((unsigned)(((c) >> 40) & 0xff) + 1)
#define VTD_SAGAW_39      (1u << 1)
#define VTD_SAGAW_48      (1u << 2)

/* ECAP_REG (11.4.3) */
#define VTD_ECAP_C        (1ull << 0)                         /* page-walk coherency */
#define VTD_ECAP_QI       (1ull << 1)                         /* queued invalidation */
#define VTD_ECAP_IR       (1ull << 3)                         /* interrupt remapping */
#define VTD_ECAP_PT       (1ull << 6)                         /* pass through */
#define VTD_ECAP_SC       (1ull << 7)                         /* snoop control */
#define VTD_ECAP_IRO(e)   ((unsigned)(((e) >> 8) & 0x3ff) * 16)

/* GCMD_REG (11.4.4) and GSTS_REG (11.4.5): the same bit positions */
#define VTD_GCMD_TE       (1u << 31)   /* translation enable        GSTS.TES */
#define VTD_GCMD_SRTP     (1u << 30)   /* set root table pointer    GSTS.RTPS */
#define VTD_GCMD_SFL      (1u << 29)   /* set fault log             GSTS.FLS */
#define VTD_GCMD_EAFL     (1u << 28)   /* enable advanced fault log GSTS.AFLS */
#define VTD_GCMD_WBF      (1u << 27)   /* write buffer flush        GSTS.WBFS */
#define VTD_GCMD_QIE      (1u << 26)   /* queued invalidation       GSTS.QIES */
#define VTD_GCMD_IRE      (1u << 25)   /* interrupt remapping       GSTS.IRES */
#define VTD_GCMD_SIRTP    (1u << 24)   /* set IR table pointer      GSTS.IRTPS */
#define VTD_GCMD_CFI      (1u << 23)   /* compatibility format interrupts GSTS.CFIS */
/* GCMD bits that stay set (10.4.4): a command writes GSTS & this, plus or minus one bit. */
#define VTD_GCMD_PERSISTENT (VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE | VTD_GCMD_CFI)

/* CCMD_REG (11.4.7.1) */
#define VTD_CCMD_ICC      (1ull << 63)
#define VTD_CCMD_GLOBAL   (1ull << 61)    /* CIRG = 01b */
/* IOTLB_REG (11.4.8.1) */
#define VTD_IOTLB_IVT     (1ull << 63)
#define VTD_IOTLB_GLOBAL  (1ull << 60)    /* IIRG = 01b */
#define VTD_IOTLB_DR      (1ull << 49)
#define VTD_IOTLB_DW      (1ull << 48)

/* FSTS_REG (11.4.9.1) and FECTL_REG (11.4.9.2) */
#define VTD_FSTS_PFO      (1u << 0)       /* primary fault overflow, RW1C */
#define VTD_FSTS_PPF      (1u << 1)       /* primary pending fault (some F bit set) */
#define VTD_FSTS_FRI(s)   (((s) >> 8) & 0xff)
#define VTD_FECTL_IM      (1u << 31)      /* interrupt mask */

/* Fault recording register, high 64 bits (11.4.14) */
#define VTD_FRCD_F        (1ull << 63)    /* fault, RW1C */
#define VTD_FRCD_T        (1ull << 62)    /* type: 1 = read, 0 = write */
#define VTD_FRCD_FR(h)    ((unsigned)(((h) >> 32) & 0xff))
#define VTD_FRCD_SID(h)   ((unsigned)((h) & 0xffff))

/* Root entry (9.1) and context entry (9.3), low and high 64 bits */
#define VTD_ROOT_P        (1ull << 0)
#define VTD_CTX_P         (1ull << 0)
#define VTD_CTX_FPD       (1ull << 1)     /* fault processing disable */
#define VTD_CTX_TT_UNTRANSLATED (0ull << 2)
#define VTD_CTX_AW_39     1ull            /* high bits 2:0: 3-level table */
#define VTD_CTX_AW_48     2ull            /* 4-level table */
#define VTD_CTX_DID_SHIFT 8
#define VTD_ADDR_MASK     0x000ffffffffff000ull

/* Second-level paging entries (9.8) */
#define VTD_SL_R          (1ull << 0)
#define VTD_SL_W          (1ull << 1)
#define VTD_SL_RW         (VTD_SL_R | VTD_SL_W)
#define VTD_SL_PS         (1ull << 7)     /* 2 MiB / 1 GiB leaf */
#define VTD_SL_SNP        (1ull << 11)
#define VTD_SL_TM         (1ull << 62)

/*
 * Fault reasons (Appendix A), the ones second-level translation of
 * untranslated requests gives; the rest print as "reserved or other".
 */
#define VTD_FAULT_REASONS(X)                                                         \
    X(0x1, "root entry not present")                                                 \
    X(0x2, "context entry not present")                                              \
    X(0x3, "invalid context entry")                                                  \
    X(0x4, "address beyond the address width")                                       \
    X(0x5, "write to a page without write permission")                               \
    X(0x6, "read from a page without read permission")                               \
    X(0x7, "next-level paging entry not accessible")                                 \
    X(0x8, "root table not accessible")                                              \
    X(0x9, "context entry not accessible")                                           \
    X(0xa, "reserved field set in a root entry")                                     \
    X(0xb, "reserved field set in a context entry")                                  \
    X(0xc, "reserved field set in a second-level paging entry")                      \
    X(0xd, "request type blocked by the context entry's translation type")           \
    X(0x20, "interrupt request with a reserved field set")                           \
    X(0x21, "interrupt index beyond the interrupt remapping table size")             \
    X(0x22, "interrupt remapping table entry not present")                           \
    X(0x25, "compatibility format interrupt blocked")

#endif
