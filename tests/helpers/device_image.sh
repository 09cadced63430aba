#!/bin/sh
# A stand-in for the GPU machine the device check ran on, for testing the bundle's run.sh end to end without one:
# this machine's root file system as a throw-away overlay, with what that machine lacked taken away (the Vulkan
# loader, the GLVND libraries, Node.js) and what it had put where it had it (a Vulkan driver in
# /usr/local/nvidia/lib64, named by bare file name from /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json, as
# NVIDIA's driver is). The driver is Mesa's lavapipe instead of NVIDIA's. It runs itself in a fresh mount namespace
# (unshare -m, or unshare -rm when not root), so nothing outside changes and the mounts vanish with it.
#
# usage: device_image.sh CHECK_DIR LAVAPIPE_ICD [ARGS…]   runs CHECK_DIR/bundle/run.sh ARGS… as root in the image,
# where CHECK_DIR is /check; LAVAPIPE_ICD is the icd.json .ci/lavapipe wrote (its driver's folder goes to
# /usr/local/nvidia/lib64, and the file, naming the driver by bare name, to NVIDIA's ICD path). Exits 77, with the reason on its last line, where this machine cannot make the image.
set -eu
if [ -z "${EVOMETA_DEVICE_IMAGE_NS:-}" ]; then
  if [ "$(id -u)" = 0 ]; then ns=-m; else ns=-rm; fi
  unshare $ns true 2>/dev/null || { echo "no mount namespace here (unshare $ns)" >&2; exit 77; }
  EVOMETA_DEVICE_IMAGE_NS=1 exec unshare $ns sh "$0" "$@"
fi
check=$1; icd=$2; shift 2
T=$check/image
mkdir -p "$T"
mount -t tmpfs evometa-device-image "$T"
mkdir "$T/upper" "$T/work" "$T/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$T/root" 2>/dev/null \
  || { echo "no overlay of / in a mount namespace here" >&2; exit 77; }
R=$T/root
for d in dev proc sys; do mount --rbind "/$d" "$R/$d"; done
mkdir -p "$R/check"
mount --bind "$check" "$R/check"
for lib in "$R/usr/lib/x86_64-linux-gnu" "$R/lib/x86_64-linux-gnu"; do
  rm -f "$lib"/libvulkan.so* "$lib"/libGLdispatch.so* "$lib"/libGLX.so* "$lib"/libGLX_*.so* "$lib"/libEGL.so* \
    "$lib"/libGL.so* "$lib"/libOpenGL.so* "$lib"/libGLES*.so*
done
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do rm -f "$R$d/node"; done
ldconfig -r "$R"
nv=$R/usr/local/nvidia
mkdir -p "$nv/lib64" "$nv/share/vulkan/icd.d"
driver=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$icd")
cp -a "$(dirname "$driver")/." "$nv/lib64/"
sed 's|"library_path": *"[^"]*/|"library_path": "|' "$icd" > "$nv/share/vulkan/icd.d/nvidia_icd.json"
exec chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  /check/bundle/run.sh "$@"
