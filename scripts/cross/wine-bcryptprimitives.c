/* For Wine 8 only (Debian 12's wine), which lacks bcryptprimitives.dll: Rust's standard library on
 * Windows 10+ takes its random bytes from ProcessPrng there. This stand-in answers ProcessPrng with
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. scripts/cross/windows.sh installs
 * it into the Wine prefix's system32 when that has no bcryptprimitives.dll; it is never shipped
 * (every Windows 10 and later has the real one). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
