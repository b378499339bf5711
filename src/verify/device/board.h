/* board.h: what the device harnesses (es256k.c, es256.c, p256.c) need
 * from the emulated board, QEMU's mps2-an385 (Cortex-M3): output and exit
 * through ARM semihosting, and a meter of the stack a call uses.  No
 * libc. */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Writes the NUL-terminated s to the host's stdout. */
void board_puts(const char *s);

/* Writes "name value\n" with value in decimal. */
void board_putkv(const char *name, uint32_t value);

/* Ends the emulation; QEMU exits with code (0..255). */
void board_exit(int code) __attribute__((noreturn));

/* The stack pointer now, inlined so that it is the caller's. */
static inline uintptr_t
board_sp(void)
{
	uintptr_t sp;

	__asm__ volatile ("mov %0, sp" : "=r" (sp));
	return sp;
}

/* Fills the unused stack with a pattern; board_stack_used(mark) then says
 * how many bytes below mark (a board_sp() taken before a call) the
 * deepest call since has written. */
void board_stack_paint(void);
size_t board_stack_used(uintptr_t mark);

/* Fills buf[0..len) with the same pattern; board_touched(buf, len) says
 * how many bytes from buf up to the last one written since. */
void board_paint(void *buf, size_t len);
size_t board_touched(const void *buf, size_t len);

#endif
