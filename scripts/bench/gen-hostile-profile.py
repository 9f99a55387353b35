"""Writes a sampling heap profile of a hostile shape to stdout.

    python3 gen-hostile-profile.py deep N   # one stack N frames deep
    python3 gen-hostile-profile.py wide N   # N distinct functions under (root)

Every frame allocates 64 bytes (one sample each), so every frame is a row.
"""
import sys


def frame(i):
    return ('{"callFrame":{"functionName":"f%d","scriptId":"3","url":"file:///src/m%d.js",'
            '"lineNumber":%d,"columnNumber":1},"selfSize":64,"id":%d,"children":[' % (i, i % 97, i % 1000, i + 2))


def main():
    shape, n = sys.argv[1], int(sys.argv[2])
    out = sys.stdout
    out.write('{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"",'
              '"lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[')
    if shape == 'deep':
        for i in range(n):
            out.write(frame(i))
        out.write(']}' * n)
    elif shape == 'wide':
        out.write(','.join(frame(i) + ']}' for i in range(n)))
    else:
        sys.exit('shape: deep or wide')
    out.write(']},"samples":[')
    out.write(','.join('{"size":64,"nodeId":%d,"ordinal":%d}' % (i + 2, i + 1) for i in range(n)))
    out.write(']}\n')


main()
