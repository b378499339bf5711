/* board.c: reset, vector table, semihosting and the stack meter of the
 * device harnesses on QEMU's mps2-an385 (Cortex-M3, code at 0x0, SRAM at
 * 0x20000000; mps2-an385.ld).  Semihosting calls are the two the harness
 * needs (SYS_WRITE0, SYS_EXIT_EXTENDED), so that newlib adds nothing but
 * memcpy and memcmp to the images being measured. */
#include "board.h"

#define SEMI_WRITE0 0x04
#define SEMI_EXIT_EXTENDED 0x20
#define SEMI_APPLICATION_EXIT 0x20026
#define PAINT 0xa5c3e10fu

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
extern uint32_t _sstack[], _estack[];
int main(void);
void board_reset(void) __attribute__((noreturn));
void board_fault(void) __attribute__((noreturn));

/* Initial stack pointer, reset, then NMI and the faults (all end the run:
 * a fault in a measured call must fail the test, not hang it). */
__attribute__((section(".vectors"), used))
static const uintptr_t board_vectors[16] = {
	(uintptr_t)_estack, (uintptr_t)board_reset,
	(uintptr_t)board_fault, (uintptr_t)board_fault,
	(uintptr_t)board_fault, (uintptr_t)board_fault,
	(uintptr_t)board_fault,
};

static int
board_semihost(int op, const void *arg)
{
	register int r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
	return r0;
}

void
board_reset(void)
{
	uint32_t *s = _sidata, *d;

	for (d = _sdata; d < _edata; d++)
		*d = *s++;
	for (d = _sbss; d < _ebss; d++)
		*d = 0;
	board_exit(main());
}

void
board_fault(void)
{
	board_puts("fault\n");
	board_exit(99);
}

void
board_puts(const char *s)
{
	board_semihost(SEMI_WRITE0, s);
}

void
board_putkv(const char *name, uint32_t value)
{
	char buf[12], *p = buf + sizeof(buf);

	*--p = '\0';
	*--p = '\n';
	do {
		*--p = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	board_puts(name);
	board_puts(" ");
	board_puts(p);
}

void
board_exit(int code)
{
	uint32_t block[2] = { SEMI_APPLICATION_EXIT, (uint32_t)code };

	for (;;)
		board_semihost(SEMI_EXIT_EXTENDED, block);
}

void
board_stack_paint(void)
{
	volatile uint32_t *p;
	uintptr_t sp;

	/* 64 bytes of room below this frame for the loop itself. */
	__asm__ volatile ("mov %0, sp" : "=r" (sp));
	for (p = _sstack; (uintptr_t)p < sp - 64; p++)
		*p = PAINT;
}

size_t
board_stack_used(uintptr_t mark)
{
	const volatile uint32_t *p = _sstack;

	while ((uintptr_t)p < mark && *p == PAINT)
		p++;
	return (uintptr_t)p < mark ? mark - (uintptr_t)p : 0;
}

void
board_paint(void *buf, size_t len)
{
	volatile uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(PAINT >> (8 * (i % 4)));
}

size_t
board_touched(const void *buf, size_t len)
{
	const volatile uint8_t *p = buf;

	while (len > 0 && p[len - 1] == (uint8_t)(PAINT >> (8 * ((len - 1) % 4))))
		len--;
	return len;
}
