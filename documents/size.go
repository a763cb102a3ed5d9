package documents

import "github.com/vektah/gqlparser/v2/ast"

// What keeping a parsed document costs the heap, per node of its syntax
// tree: each node's struct in its size class, its Position (every node has
// one) and its slot in its parent's list, grown by append. Validation adds
// nothing a document keeps but pointers into the schema. Checked against
// the heap by TestSizeCoversTheHeap; Size adds a margin of 1/8 on top.
const (
	sizeDocument   = 256 // the document, its lists and its Source
	sizeOperation  = 256
	sizeFragment   = 288
	sizeVariable   = 240 // a variable definition, its Position and slot
	sizeType       = 112 // a type reference in a variable definition, with its Position
	sizeField      = 240
	sizeSpread     = 176
	sizeInline     = 192
	sizeArgument   = 120
	sizeDirective  = 160
	sizeValue      = 224 // a value with its Position and its slot among its parent's children
	sizeComment    = 112 // a comment, its Position and its slot in its group
	sizeCommentSet = 48  // a comment group
)

// Size estimates the bytes the heap keeps for doc, a parsed and validated
// query document, while it is referenced: its source text, which every
// node's Position points to, and its syntax tree, walked once. It errs on
// the large side, so that a cache bounded by it holds no more than its
// budget says. The tree is 15-110 times the text (a realistic document
// about 20, a list of 5,000 one-digit values about 110): the text's length
// alone says little.
func Size(doc *ast.QueryDocument) int {
	n := size(doc)
	return n + n/8
}

func size(doc *ast.QueryDocument) int {
	if doc == nil {
		return 0
	}
	n := sizeDocument + source(doc)
	n += comments(doc.Comment)
	for _, op := range doc.Operations {
		n += sizeOperation + len(op.Description) + comments(op.Comment)
		for _, v := range op.VariableDefinitions {
			n += variable(v)
		}
		n += directives(op.Directives) + selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n += sizeFragment + len(f.Description) + comments(f.Comment)
		for _, v := range f.VariableDefinition {
			n += variable(v)
		}
		n += directives(f.Directives) + selections(f.SelectionSet)
	}
	return n
}

// source returns the length of the text doc was parsed from.
func source(doc *ast.QueryDocument) int {
	var p *ast.Position
	switch {
	case doc.Position != nil:
		p = doc.Position
	case len(doc.Operations) > 0:
		p = doc.Operations[0].Position
	case len(doc.Fragments) > 0:
		p = doc.Fragments[0].Position
	}
	if p == nil || p.Src == nil {
		return 0
	}
	return len(p.Src.Input)
}

func selections(set ast.SelectionSet) int {
	n := 0
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			n += sizeField + comments(s.Comment) + arguments(s.Arguments) + directives(s.Directives) + selections(s.SelectionSet)
		case *ast.FragmentSpread:
			n += sizeSpread + comments(s.Comment) + directives(s.Directives)
		case *ast.InlineFragment:
			n += sizeInline + comments(s.Comment) + directives(s.Directives) + selections(s.SelectionSet)
		}
	}
	return n
}

func arguments(args ast.ArgumentList) int {
	n := 0
	for _, a := range args {
		n += sizeArgument + comments(a.Comment) + value(a.Value)
	}
	return n
}

func directives(ds ast.DirectiveList) int {
	n := 0
	for _, d := range ds {
		n += sizeDirective + arguments(d.Arguments)
	}
	return n
}

func variable(v *ast.VariableDefinition) int {
	n := sizeVariable + len(v.Description) + comments(v.Comment) + directives(v.Directives) + value(v.DefaultValue)
	for t := v.Type; t != nil; t = t.Elem {
		n += sizeType
	}
	return n
}

func value(v *ast.Value) int {
	if v == nil {
		return 0
	}
	n := sizeValue + comments(v.Comment)
	if v.Kind == ast.StringValue || v.Kind == ast.BlockValue {
		n += len(v.Raw) // a copy of the source's text when it had escapes or indentation
	}
	for _, c := range v.Children {
		n += comments(c.Comment) + value(c.Value)
	}
	return n
}

func comments(g *ast.CommentGroup) int {
	if g == nil {
		return 0
	}
	return sizeCommentSet + sizeComment*len(g.List)
}
