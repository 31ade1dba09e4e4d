"""Writes a spec whose one step carries hundreds of strings that YAML
resolvers could read as something else (YAML 1.1 and 1.2 booleans, nulls,
numbers, timestamps, sexagesimals, .inf/.nan in every casing, indicators,
line breaks, controls, non-ASCII), as exec arguments and env values.

    awkward_strings.py > spec.spark
"""
import itertools
import sys
words = ["true","false","yes","no","on","off","y","n","null","nil","none","tilde"]
def casings(w):
    out = {w, w.upper(), w.capitalize()}
    for bits in itertools.product([0,1], repeat=min(len(w),3)):
        out.add("".join(c.upper() if (i < 3 and bits[i]) else c for i, c in enumerate(w)))
    return out
strings = set()
for w in words:
    for c in casings(w): strings |= {c, " "+c, c+" ", c+":", "-"+c, "."+c}
numbers = ["0","-0","+0","1","+1","-1","007","0o17","0O17","017","0x1F","0X1f","-0x1F","0b101","0B1","1_000","1__0",
  "1:30","190:20:30","-1:30","1:70","1.5","-1.5","+1.5",".5","-.5","+.5","5.","1e5","1E5","1e+5","1E-5","1.0e-5",
  "6.8523015e+5","685.230_15e+03","685_230.15","190:20:30.15",".inf","-.inf","+.inf",".Inf","-.Inf",".INF",".NaN",".nan",
  ".NAN","inf","nan","Infinity","-Infinity","NaN","1e","e5","0.","-.","+","-","--","---","...","..","0x","0b","0o",
  "2001-12-14","2001-12-14t21:59:43.10-05:00","2001-12-14 21:59:43.10 -5","2002-12-14","2001-12-15T02:59:43.1Z",
  "12:30:45","1_2:3_4","0.1.2","1.2.3","v1.2","1,000","1 000","$1","1%","1/2","-1/2","0777","08","09","1e1_0"]
symbols = ["~","<<","=","!","!!str","&a","*a","|","|-",">",">-","%YAML","@a","`a","#","# c","a #c","a# c","?","? a",
  ":",": a","a: b","a:b","a:","-a","- a","[a]","{a}","[","]","{","}",",","a,b","a, b","'","\"","''","\"\"",
  "\\","\\n","a\\b"," ","  ","\t","\n","a\nb","\r\n","a\tb","\u0085","\u2028","\u2029","\ufeff","\u00a0","é","日本",
  "\U0001F680","https://example.com:8080/a?b=c&d=e#f","user@host","a=b","a+b","a.b","/path/to","./rel","_x","x_",
  "key: value","{a: 1}","[1, 2]","!tag x","&anchor x","*alias","x|y","x>y","a'b","a\"b","null null","true false"]
strings |= set(numbers) | set(symbols)
strings = sorted(strings)
def spark(s):
    return '"' + s.replace("\\","\\\\").replace('"','\\"').replace("$","\\$").replace("\n","\\n").replace("\t","\\t").replace("\r","\\r") + '"'
args = ", ".join(spark(s) for s in strings)
env = "; ".join(f"V{i} = {spark(s)}" for i, s in enumerate(strings))
print(f'step awkward {{ do = exec("echo", {args}) {{ env = {{ {env} }} }}; undo = none; description = {spark(" | ".join(strings[:40]))} }}')
print(f"{len(strings)} strings", file=sys.stderr)
