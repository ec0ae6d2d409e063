"""Child-process helpers for the kill and lock tests (run via ``python -c``)."""

IMPORT = r'''
import sys, time
from pathlib import Path
from qbtui.cache import Cache
prof, n, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
docs = []
for i in range(n):
    # the first 1,000 rewrite existing documents (rev 2), the rest are new
    docs.append({"type": "invoice" if i % 3 else "customer", "ref": f"D-{i}", "seed": seed,
                 "lines": [{"sku": f"S-{i % 97}", "qty": i % 7, "price": "9.99"}] * 3})
c = Cache.open(prof, writer=True, command="qbtui import")
print("go", flush=True)
t = time.perf_counter()
c.upsert_documents(docs)
print("done", time.perf_counter() - t, flush=True)
c.close()
print("closed", flush=True)
'''

OUTCOMES = r'''
import sys, time
from pathlib import Path
from qbtui.cache import Cache
prof, batches, threshold = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = Cache.open(prof, writer=True, command="qbtui sync")
print("go", flush=True)
t = time.perf_counter()
for b in range(batches):
    c.record_outcomes([
        {"type": "invoice", "ref": f"D-{b * 30 + k}", "status": "synced", "synced_rev": 1,
         "run": f"b{b}", "qbo": [{"entity": "Invoice", "id": str(b * 30 + k), "sync_token": "0"}]}
        for k in range(30)
    ])
print("done", time.perf_counter() - t, flush=True)
c.close()
print("closed", flush=True)
'''

HOLD = r'''
import sys, time
from pathlib import Path
from qbtui.cache import Cache
prof = Path(sys.argv[1])
c = Cache.open(prof, writer=True, command=sys.argv[2])
if len(sys.argv) > 3:
    c.record_outcomes([{"type": "invoice", "ref": "D-0", "status": "synced", "synced_rev": 1}])
print("ready", flush=True)
time.sleep(60)
'''
