/* The built-in guest's flat image, built from guest/programs/builtin/ (see the Makefile). */
    .section .guest_images, "a"
    .balign 16
    .globl builtin_guest_image, builtin_guest_image_end
builtin_guest_image:
    .incbin BUILTIN_GUEST_BIN
builtin_guest_image_end:

    .section .note.GNU-stack, "", @progbits
