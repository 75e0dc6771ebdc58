/* selftest=iommu (kernel/iommu/iommu_selftest.c): edu DMA against the VT-d domain; ends the run. */
#ifndef SKIFF_KERNEL_IOMMU_SELFTEST_H
#define SKIFF_KERNEL_IOMMU_SELFTEST_H

#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"

__attribute__((noreturn)) void iommu_selftest(const struct skiff_config *cfg, const struct mb2_info *mb);

#endif
