/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootsector.S - sector 0 (LBA 0) of the iPXE lab's iSCSI disk.
 *
 * iPXE's "sanboot" hooks the iSCSI LUN as BIOS drive 0x80, reads LBA 0 to
 * 0000:7c00 through its own INT 13h handler and jumps here with DL = drive.
 * This sector then does what a real boot loader's first stage does on the
 * wire: it reads more blocks through INT 13h (each read is an iSCSI READ
 * that iPXE sends to the target), checks that they are the lab disk's
 * blocks, and reports on the QEMU debug console (I/O port 0xe9, written by
 * "-device isa-debugcon,iobase=0xe9") so the lab script knows when the
 * firmware phase is over.  There is no operating system to hand over to:
 * after the reads it gives control back to iPXE with INT 18h ("boot
 * failed, try the next device"; iPXE hooks INT 18h and INT 19h while a
 * boot sector runs), so iPXE runs again, ACKs what it received and closes
 * its iSCSI connection.  (Halting here instead would leave iPXE's last
 * ACK unsent, and the target would retransmit into a dead guest.)  Nothing
 * the capture shows comes from an OS.
 *
 * Assembled with GNU as (binutils) by make-ipxe-captures.sh:
 *   as --32 -o bs.o bootsector.S
 *   ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o bs.bin bs.o
 * The result must be exactly 512 bytes ending in 55 aa (checked there).
 */
	.code16
	.text
	.globl	_start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0x7c00, %sp
	sti
	movb	%dl, drive		/* BIOS drive number iPXE booted us from */

	movw	$msg_hello, %si
	call	puts

	/* 1. INT 13h AH=41h: are the extensions (AH=42h) there? */
	movb	$0x41, %ah
	movw	$0x55aa, %bx
	movb	drive, %dl
	int	$0x13
	jc	fail
	cmpw	$0xaa55, %bx
	jne	fail

	/* 2. AH=42h extended read of LBA 1..4 (4 blocks) to 0000:8000 */
	movw	$dap_a, %si
	call	read
	/* 3. AH=42h extended read of LBA 2048..2055 (8 blocks) to 0000:8000 */
	movw	$dap_b, %si
	call	read
	/* 4. AH=42h extended read of LBA 16..142 (127 blocks, the most
	 * some BIOSes allow in one call) */
	movw	$dap_c, %si
	call	read

	movw	$msg_done, %si
	call	puts
	int	$0x18			/* back to iPXE: sanboot returns */
halt:
	cli
	hlt
	jmp	halt

/* read: SI = disk address packet; on success check the first block's
 * marker "PDX LBA " (the lab disk's content), else fail. */
read:
	movb	$0x42, %ah
	movb	drive, %dl
	int	$0x13
	jc	fail
	cmpl	$0x20584450, 0x8000	/* "PDX " little-endian */
	jne	fail
	movw	$msg_read, %si
	call	puts
	ret

fail:
	movw	$msg_fail, %si
	call	puts
	jmp	halt

/* puts: SI = NUL-terminated string -> debug console port 0xe9 and screen */
puts:
	lodsb
	testb	%al, %al
	jz	1f
	outb	%al, $0xe9
	movb	$0x0e, %ah		/* INT 10h teletype output */
	movw	$0x0007, %bx
	int	$0x10
	jmp	puts
1:	ret

drive:	.byte	0x80

	.balign	4
/* INT 13h extensions disk address packet: size, 0, blocks, offset,
 * segment, 64-bit LBA */
dap_a:	.byte	0x10, 0
	.word	4, 0x8000, 0
	.quad	1
dap_b:	.byte	0x10, 0
	.word	8, 0x8000, 0
	.quad	2048
dap_c:	.byte	0x10, 0
	.word	127, 0x8000, 0
	.quad	16

msg_hello:	.asciz	"PDX-BOOTSECTOR: started\r\n"
msg_read:	.asciz	"PDX-BOOTSECTOR: read ok\r\n"
msg_done:	.asciz	"PDX-BOOTSECTOR: done, INT 18h to iPXE\r\n"
msg_fail:	.asciz	"PDX-BOOTSECTOR: FAILED\r\n"

	.org	510
	.byte	0x55, 0xaa
