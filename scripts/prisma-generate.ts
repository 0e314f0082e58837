console.log("[prisma-generate] no schema yet");
